"""Official documents: the agency's request template and the unit's result letter (GB/T 9704)."""
