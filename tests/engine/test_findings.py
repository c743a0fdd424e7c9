"""One cause blamed once: which findings of a run follow from another failure (`Explanations`),
and what an exchange's outcome explains of its form (`attribute`)."""

from __future__ import annotations

from conformance.engine.findings import Explanations, Finding, attribute
from conformance.requirements.rfc import rfc6749, rfc6750, rfc7009, rfc9110
from tests.exchanges import recorded

# A MUST (5.2-error), a MUST it may explain (4.3-invalid-grant), a cause of the latter's (§2.3.1).
ERROR, INVALID_GRANT, BASIC = rfc6749.ERROR_RESPONSE, rfc6749.WRONG_CREDENTIALS, rfc6749.BASIC_FORM_ENCODED


def _finding(requirement: object, *causes: object, tag: str = "") -> Finding:
    found = Finding(requirement, "expected", "got", tag=tag)  # type: ignore[arg-type]
    return found.following(*causes)  # type: ignore[arg-type]


def test_a_finding_follows_from_a_cause_that_fails_by_evidence_of_its_own() -> None:
    consequence = _finding(INVALID_GRANT, ERROR)
    assert Explanations([consequence]).explained_by(consequence) is None  # nothing fails 5.2-error
    assert Explanations([consequence, _finding(ERROR)]).explained_by(consequence) == ERROR.id


def test_a_chain_is_reported_at_its_root_and_a_cycle_blames_both() -> None:
    consequence, middle, root = _finding(INVALID_GRANT, ERROR), _finding(ERROR, BASIC), _finding(BASIC)
    assert Explanations([consequence, middle, root]).explained_by(consequence) == BASIC.id
    # Each explains the other, and neither fails by evidence of its own: both stand.
    one, other = _finding(INVALID_GRANT, ERROR), _finding(ERROR, INVALID_GRANT)
    explanations = Explanations([one, other])
    assert explanations.explained_by(one) == ERROR.id or explanations.explained_by(other) == INVALID_GRANT.id
    assert not (explanations.explained_by(one) and explanations.explained_by(other))


def test_a_tagged_cause_is_met_only_by_that_kind_of_finding() -> None:
    consequence = _finding(INVALID_GRANT, f"{ERROR.id}#documented")
    assert Explanations([consequence, _finding(ERROR)]).explained_by(consequence) is None
    documented = _finding(ERROR, tag="documented")
    assert Explanations([consequence, documented]).explained_by(consequence) == ERROR.id


def test_a_should_explains_the_must_that_presupposes_it() -> None:
    """RFC 7009 §2.1 asks a server to search every token type it revokes; one that revokes no
    access tokens (a SHOULD) owes no search for them: the hint check follows from that."""
    hint = _finding(rfc7009.HINT_SEARCH, rfc7009.REVOKES_ACCESS)
    assert hint.fails_run and not rfc7009.REVOKES_ACCESS.level.fails_run
    assert (
        Explanations([hint, _finding(rfc7009.REVOKES_ACCESS)]).explained_by(hint) == rfc7009.REVOKES_ACCESS.id
    )


def test_the_form_of_a_refusal_follows_from_the_outcome_on_the_same_exchange() -> None:
    refused, elsewhere = recorded("resource", status=401), recorded("resource", seq=2, status=401)
    outcome = Finding(rfc6750.ACCEPTS_VALID_TOKEN, "accepted", "401", refused, judges="outcome")
    form = Finding(rfc9110.UNAUTHORIZED_CHALLENGE, "a challenge", "none", refused, judges="form")
    other = Finding(rfc9110.UNAUTHORIZED_CHALLENGE, "a challenge", "none", elsewhere, judges="form")
    attributed = attribute([outcome, form, other])
    assert attributed[1].follows_from == (rfc6750.ACCEPTS_VALID_TOKEN.id,)
    assert attributed[2].follows_from == ()  # another exchange's form is its own
