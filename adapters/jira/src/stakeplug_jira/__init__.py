"""stakeplug adapter for jira (work in progress)."""
