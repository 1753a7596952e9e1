"""The audit trail (留痕): append-only events of every state change and every view of
personal data."""
