"""The dashboard's own CSS and JavaScript, served at /static/ (no external assets)."""
