"""Scenarios of a token's life: expiry, refresh, invalidation, the lifecycle state machine."""
