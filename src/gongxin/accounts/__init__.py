"""Platform units, requesting agencies, staff and their roles."""
