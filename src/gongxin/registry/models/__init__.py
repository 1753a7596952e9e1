from .entries import ListEntry, ListImport, ListSource, MaskLayout, current_version, removed_by

__all__ = ["ListEntry", "ListImport", "ListSource", "MaskLayout", "current_version", "removed_by"]
