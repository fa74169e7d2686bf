"""JSON-schema contracts of every Flipdish webhook event: catalogue, validation, examples, strategies."""

from __future__ import annotations

__all__: list[str] = []
