from .entries import ListEntry, ListImport, ListSource

__all__ = ["ListEntry", "ListImport", "ListSource"]
