"""REST API (/api/v1/): the same services and scope as the pages."""
