"""stakeplug adapter for github (work in progress)."""
