"""A correct legacy (API v1.0) Flipdish webhook receiver in Flask."""
