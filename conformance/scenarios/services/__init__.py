"""Scenarios of the endpoints beside the token endpoint: revocation, introspection, metadata."""
