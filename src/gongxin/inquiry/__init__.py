"""Inquiry requests (查询需求): from the agency's letter to the issued result."""
