"""Reports: one report document, rendered to Markdown, JSON, HTML and a terminal summary."""
