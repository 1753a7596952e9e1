from .entries import ListEntry, ListImport, ListSource, MaskLayout

__all__ = ["ListEntry", "ListImport", "ListSource", "MaskLayout"]
