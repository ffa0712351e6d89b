"""IXP state changes: imports and reconciliation."""
