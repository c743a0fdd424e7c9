"""Contract and conformance test suite for OAuth 2.0-style token endpoints."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
