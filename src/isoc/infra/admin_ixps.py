"""Admin for IXPs."""
