"""Built-in scenarios (package data: the YAML files next to this module)."""
