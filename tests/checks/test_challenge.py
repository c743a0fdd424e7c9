from __future__ import annotations

from conformance.checks.challenge import parse_challenges


def test_bearer_with_parameters() -> None:
    [challenge] = parse_challenges(
        ['Bearer realm="example", error="invalid_token", error_description="The access token expired"']
    )
    assert challenge.scheme == "Bearer"
    assert challenge.param("error") == "invalid_token"
    assert challenge.param("error_description") == "The access token expired"


def test_several_challenges_and_bare_scheme() -> None:
    challenges = parse_challenges(['Basic realm="a", Bearer', "Negotiate"])
    assert [c.scheme for c in challenges] == ["Basic", "Bearer", "Negotiate"]


def test_realm_counted() -> None:
    [challenge] = parse_challenges(['Bearer realm="a", realm="b"'])
    assert challenge.count("realm") == 2


def test_quoted_escapes_and_tokens() -> None:
    [challenge] = parse_challenges(['Bearer realm="a \\"b\\"", scope=read'])
    assert challenge.param("realm") == 'a "b"'
    assert challenge.param("scope") == "read"
