"""Page templates of the dashboard (string.Template; every value is escaped before substitution)."""
