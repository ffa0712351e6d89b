"""Community network state changes."""
