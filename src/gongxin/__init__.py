"""Gongxin (公信): social credit record checks for civil-servant candidates."""
