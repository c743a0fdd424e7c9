"""Issuing tokens: the password grant, the response, uniqueness (RFC 6749 §4.3, §5.1, §10.10)."""

from __future__ import annotations

import pytest

from conformance.checks.entropy import COUNTER_TAIL, alphabet_of, capacity_bits, counter_like
from conformance.checks.expectations import expect_issued
from conformance.findings import Finding
from conformance.requirements import provider, rfc6749, rfc9700
from conformance.scenario import IssuedToken, Scenario

requirement = pytest.mark.requirement


@requirement(
    rfc6749.PASSWORD_GRANT_ISSUES.id,
    rfc6749.SUCCESS_JSON.id,
    rfc6749.TOKEN_TYPE.id,
    rfc6749.EXPIRES_IN_TYPE.id,
    rfc6749.NO_STORE.id,
    rfc6749.PRAGMA_NO_CACHE.id,
    rfc6749.ACCESS_TOKEN_CHARSET.id,
    rfc6749.REFRESH_TOKEN_CHARSET.id,
    provider.DOCUMENTED_FIELDS.id,
    rfc9700.PASSWORD_GRANT_DEPRECATED.id,
)
def test_password_grant_issues_a_documented_token_response(conformance: Scenario) -> None:
    conformance.requires(conformance.profile.grant_password is True, "the password grant is not offered")
    token = conformance.obtain_token()
    conformance.expect(
        [
            Finding(
                rfc9700.PASSWORD_GRANT_DEPRECATED,
                "no resource owner password credentials grant (RFC 9700 §2.4, OAuth 2.1)",
                "the provider issues tokens by the password grant",
                token.exchange,
            )
        ]
    )


@requirement(rfc6749.TOKENS_UNIQUE.id, rfc6749.TOKENS_UNGUESSABLE.id, rfc6749.TOKENS_160_BITS.id)
def test_each_issuance_is_unique(conformance: Scenario) -> None:
    tokens = [conformance.obtain_token(f"token: issuance {n} of 3") for n in (1, 2, 3)]
    access = {t.access_token for t in tokens}
    refresh = [t.refresh_token for t in tokens if t.refresh_token]
    findings = []
    if len(access) != len(tokens):
        findings.append(
            Finding(
                rfc6749.TOKENS_UNIQUE,
                "3 distinct access tokens",
                f"{len(access)} distinct",
                tokens[-1].exchange,
            )
        )
    if len(set(refresh)) != len(refresh):
        findings.append(
            Finding(
                rfc6749.TOKENS_UNIQUE,
                f"{len(refresh)} distinct refresh tokens",
                f"{len(set(refresh))} distinct",
                tokens[-1].exchange,
            )
        )
    conformance.expect(findings, rfc6749.TOKENS_UNIQUE, "3 issuances, all distinct")
    samples = [("access", [t.access_token for t in tokens]), ("refresh", refresh)]
    guessable = [f for kind, values in samples for f in _guessability(kind, values, tokens[-1])]
    conformance.expect(
        [f for f in guessable if f.requirement is rfc6749.TOKENS_UNGUESSABLE],
        rfc6749.TOKENS_UNGUESSABLE,
    )
    conformance.expect(
        [f for f in guessable if f.requirement is rfc6749.TOKENS_160_BITS], rfc6749.TOKENS_160_BITS
    )


def _guessability(kind: str, values: list[str], last: IssuedToken) -> list[Finding]:
    """RFC 6749 §10.10 on a sample of tokens of one kind (see conformance.checks.entropy)."""
    if not values:
        return []
    name, symbols = alphabet_of(values)
    bits = min(capacity_bits(v, symbols) for v in values)
    shortest = min(len(v) for v in values)
    shape = f"{kind} tokens of {shortest} characters over {name} hold at most {bits:.0f} bits"
    findings = []
    if bits < 128:
        findings.append(
            Finding(rfc6749.TOKENS_UNGUESSABLE, f"{kind} tokens able to hold 128 bits", shape, last.exchange)
        )
    elif bits < 160:
        findings.append(
            Finding(rfc6749.TOKENS_160_BITS, f"{kind} tokens able to hold 160 bits", shape, last.exchange)
        )
    if any(counter_like(a, b) for a, b in zip(values, values[1:], strict=False)):
        findings.append(
            Finding(
                rfc6749.TOKENS_UNGUESSABLE,
                f"{kind} tokens an attacker cannot derive from one another",
                f"consecutive {kind} tokens differ only in their last {COUNTER_TAIL} characters "
                "(a counter or a clock)",
                last.exchange,
            )
        )
    return findings


@requirement(rfc6749.UNKNOWN_PARAMETER_IGNORED.id)
def test_unknown_parameter_is_ignored(conformance: Scenario) -> None:
    client = conformance.client
    exchange = client.token_request(
        client.password_params(extra=[("conformance_probe", "ignored")]),
        purpose="token: password grant with an unrecognized parameter",
    )
    conformance.expect(
        expect_issued(exchange, rfc6749.UNKNOWN_PARAMETER_IGNORED, "a request with an extra parameter"),
        rfc6749.UNKNOWN_PARAMETER_IGNORED,
    )
