"""A correct v3 Flipdish webhook receiver in FastAPI."""
