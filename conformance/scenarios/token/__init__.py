"""Scenarios of the token endpoint: issuance, refusals, client authentication, scope, searches, races."""
