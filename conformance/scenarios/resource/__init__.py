"""Scenarios of the Bearer-protected resource: RFC 6750 usage, scope, JWT access tokens."""
