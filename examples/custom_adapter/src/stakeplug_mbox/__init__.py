"""Example mbox adapter (work in progress)."""
