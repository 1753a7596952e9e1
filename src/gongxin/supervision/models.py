"""Supervision's records: spot checks and their findings, the risk register, emergency plans
and drills, and the consultation log."""
