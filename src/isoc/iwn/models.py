"""Saved Internet Way of Networking assessments."""
