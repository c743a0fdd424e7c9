"""The real servers' expectations files and the judges that hold runs to them (the fast tier).

The slow tier (`test_<server>.py`) runs the suite against each server; this module keeps the
files honest without a server: each validates against `expectations.schema.json`, names only
the server's legs and the catalogue's requirements, and holds no literal credential; and the
judges fail on what they exist to catch (an unlisted finding, a listed deviation no longer seen,
a probe that judges otherwise), with messages that say what to do.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

import conformance
from tests.realservers.expectations import (
    Deviation,
    LegExpectations,
    judge_leg,
    judge_probe,
    load_expectations,
    redact,
    schema_errors,
)
from tests.realservers.matrix import END, HEADER, PAGE, START, page_rows, render, replace_block, row
from tests.realservers.servers import Leg, RealServer, all_servers, load

SERVERS = all_servers()
IDS = [server.name for server in SERVERS]
FILE = Path("tests/realservers/example/expectations.yaml")


@pytest.mark.parametrize("server", SERVERS, ids=IDS)
def test_each_server_has_valid_expectations_for_exactly_its_legs(server: RealServer) -> None:
    expectations = load_expectations(server)  # validates against the schema, or raises saying where
    assert server.expectations.exists(), f"{server.name}: no expectations.yaml"
    assert expectations.server == server.name
    assert sorted(expectations.legs) == sorted(leg.name for leg in server.legs), (
        f"{server.expectations}: legs must be {[leg.name for leg in server.legs]} (tests/realservers/"
        f"{server.name}/__init__.py)"
    )


@pytest.mark.parametrize("server", SERVERS, ids=IDS)
def test_every_id_is_in_the_catalogue(server: RealServer) -> None:
    expectations = load_expectations(server)
    named = set(expectations.probe_differs)
    for leg in expectations.legs.values():
        named |= set(leg.deviations) | set(leg.follows) | set(leg.follows.values())
    known = {r.id for r in conformance.all_requirements()}
    assert sorted(named - known) == [], f"{server.expectations}: not in the catalogue"


@pytest.mark.parametrize("server", SERVERS, ids=IDS)
def test_curl_lines_hold_no_literal_credential(server: RealServer) -> None:
    expectations = load_expectations(server)
    secrets = {value for leg in server.legs for value in leg.environment.values() if value}
    for name, leg in expectations.legs.items():
        for rid, deviation in leg.deviations.items():
            leaked = [s for s in secrets if s in deviation.curl]
            assert not leaked, f"{server.expectations}: {name}.{rid}: use the $CONFORMANCE_* variables"
            used = set(re.findall(r"\$\{?(CONFORMANCE_[A-Z_]+)", deviation.curl))
            missing = used - set(server.leg(name).environment)
            assert not missing, f"{server.expectations}: {name}.{rid}: leg {name} does not set {missing}"


def test_the_schema_names_what_is_wrong() -> None:
    good: dict[str, Any] = {
        "server": "example",
        "legs": {
            "only": {
                "deviations": {
                    "RFC6749-5.1-pragma": {
                        "rfc": 'RFC 6749 §5.1: "as well as the "Pragma" response header field"',
                        "behaviour": "no Pragma header",
                        "curl": 'curl -si "$URL/token" -d grant_type=client_credentials',
                        "shows": r"\AHTTP/1\.1 200",
                    }
                }
            }
        },
    }
    assert schema_errors(good) == []
    for path, value, error in [
        (("curl",), "curl -si https://example.com/token", "does not match"),  # no $URL
        (("shows",), "(unclosed", "is not a 'regex'"),
        (("rfc",), "RFC 6749 says so", "does not match"),  # no section, no quoted sentence
        (("timing",), "yes", "is not of type 'boolean'"),
    ]:
        broken = copy.deepcopy(good)
        broken["legs"]["only"]["deviations"]["RFC6749-5.1-pragma"][path[0]] = value
        errors = schema_errors(broken)
        assert any(e.startswith("legs/only/deviations/RFC6749-5.1-pragma") and error in e for e in errors), (
            errors
        )
    missing = copy.deepcopy(good)
    del missing["legs"]["only"]["deviations"]["RFC6749-5.1-pragma"]["shows"]
    assert any("'shows' is a required property" in e for e in schema_errors(missing))
    assert any("'legs' is a required property" in e for e in schema_errors({"server": "example"}))
    assert schema_errors({**good, "x-shared": [1, 2]}) == []  # room for YAML anchors
    assert schema_errors({**good, "extra": 1}) != []


def _requirement(rid: str, status: str, message: str = "a message") -> dict[str, Any]:
    evidence = [
        {"test": "t::x", "expected": "HTTP 400", "got": "HTTP 500", "exchange": 3, "replay": "curl -i ..."}
    ]
    return {
        "id": rid,
        "level": "MUST",
        "status": status,
        "message": message,
        "tests": ["t::x"],
        "evidence": evidence if status in ("failed", "warned") else [],
    }


def _results(*requirements: dict[str, Any], complete: bool = True) -> dict[str, Any]:
    return {"complete": complete, "error": None, "incomplete": [], "requirements": list(requirements)}


def _deviation(rid: str, timing: bool = False) -> Deviation:
    return Deviation(rid, 'RFC 0 §1: "a sentence"', "does it", 'curl "$URL"', "x", timing)


def test_judge_leg_passes_a_run_that_is_its_expectations() -> None:
    results = _results(_requirement("A", "failed"), _requirement("B", "warned"), _requirement("C", "passed"))
    expected = LegExpectations({"A": _deviation("A"), "B": _deviation("B")})
    assert judge_leg(results, expected, "srv", "leg", FILE) == []


def test_judge_leg_fails_on_an_unlisted_finding_with_its_evidence() -> None:
    results = _results(_requirement("A", "failed"), _requirement("B", "warned"))
    [problem] = judge_leg(results, LegExpectations({"A": _deviation("A")}), "srv", "leg", FILE)
    assert problem.startswith("srv, leg leg: B warned, and tests/realservers/example/expectations.yaml")
    assert "false alarm of the suite or a new finding" in problem
    assert "got:      HTTP 500" in problem and "replay:   curl -i ..." in problem
    assert "under legs.leg.deviations.B" in problem and "fix the suite, not the file" in problem


def test_judge_leg_fails_on_a_listed_deviation_no_longer_seen() -> None:
    # What a bogus entry, or a deviation the server or the suite stopped showing, looks like.
    results = _results(_requirement("A", "passed", "held in full"), _requirement("B", "skipped"))
    problems = judge_leg(
        results, LegExpectations({"A": _deviation("A"), "B": _deviation("B")}), "s", "l", FILE
    )
    assert len(problems) == 2
    assert "A is listed in" in problems[0] and "now reads passed: 'held in full'" in problems[0]
    assert "run its curl line" in problems[0]
    gone = judge_leg(_results(), LegExpectations({"A": _deviation("A")}), "s", "l", FILE)
    assert gone and "no longer has" in gone[0]


def test_judge_leg_lets_a_timing_deviation_come_and_go() -> None:
    expected = LegExpectations({"R": _deviation("R", timing=True)})
    assert judge_leg(_results(_requirement("R", "passed")), expected, "s", "l", FILE) == []
    assert judge_leg(_results(_requirement("R", "failed")), expected, "s", "l", FILE) == []


def test_judge_leg_fails_an_incomplete_run_and_checks_follows() -> None:
    incomplete = _results(_requirement("A", "passed"), complete=False)
    incomplete["incomplete"] = [{"test": "t::y", "cause": "scenario stopped: no refresh token"}]
    [problem] = judge_leg(incomplete, LegExpectations({}), "s", "l", FILE)
    assert "could not be completed (t::y: scenario stopped: no refresh token)" in problem
    follows = LegExpectations({}, {"B": "A"})
    held = _requirement("B", "skipped", "not established: follows from A (the same exchange)")
    assert judge_leg(_results(held), follows, "s", "l", FILE) == []
    [other] = judge_leg(_results(_requirement("B", "passed")), follows, "s", "l", FILE)
    assert "expects B to read 'not established: follows from A'; it reads passed" in other


def test_judge_probe_fails_on_an_unexplained_difference_and_a_stale_reason() -> None:
    hand = _results(_requirement("A", "failed"), _requirement("B", "passed"), _requirement("C", "passed"))
    learned = _results(_requirement("A", "failed"), _requirement("B", "warned"), _requirement("C", "skipped"))
    [problem] = judge_probe(hand, learned, {}, "srv", FILE)
    assert problem.startswith("srv: B reads passed with the hand-written profile and warned with the learned")
    assert "under probe_differs.B" in problem
    assert (
        judge_probe(hand, learned, {"B": "the learned profile says what the docs do not"}, "srv", FILE) == []
    )
    [stale] = judge_probe(hand, learned, {"B": "reason", "C": "the probe learned no resource"}, "srv", FILE)
    assert "C" in stale and "remove the probe_differs entry" in stale  # C is not judged by both
    [nothing] = judge_probe(hand, _results(_requirement("A", "skipped")), {}, "srv", FILE)
    assert "judge no requirement in common" in nothing


def test_redact_masks_every_credential_of_every_leg_and_tokens() -> None:
    server = load("oauthlib_server")
    secret = server.legs[1].environment["CONFORMANCE_CLIENT_SECRET"]
    password = server.legs[0].environment["CONFORMANCE_PASSWORD"]
    text = f'{{"access_token": "abc.def", "note": "{secret}"}} {password}'
    masked = redact(text, server)
    assert secret not in masked and "abc.def" not in masked
    assert '"access_token": "<token>"' in masked and "$CONFORMANCE_CLIENT_SECRET" in masked
    assert masked.endswith("$CONFORMANCE_PASSWORD")


def test_legs_take_only_conformance_variables_and_distinct_names() -> None:
    with pytest.raises(ValueError, match="only CONFORMANCE_"):
        Leg("x", "about", {"PATH": "/bin"})
    leg = Leg("x", "about", {"CONFORMANCE_CLIENT_ID": "c"})
    with pytest.raises(ValueError, match="distinct names"):
        RealServer("s", "python", "e.py", "lib", (leg, leg), "/r")
    with pytest.raises(ValueError, match="probe_leg"):
        RealServer("s", "python", "e.py", "lib", (leg,), "/r", probe_leg="y")
    assert "c" not in repr(leg)  # credentials never in a repr (pytest prints parameters)


def test_every_server_names_its_version_and_probed_leg() -> None:
    for server in SERVERS:
        assert re.fullmatch(r"\d+\.\d+\.\d+", server.version), server.name
        assert server.probed_leg in server.legs


def test_matrix_row_counts_statuses_and_names_the_deviations() -> None:
    server = load("oidc_provider")
    results = _results(
        _requirement("RFC6749-4.4-issue", "passed"),
        _requirement("RFC7662-2.2-active", "partial"),
        _requirement("RFC6749-5.1-pragma", "failed"),
        _requirement("RFC6750-3.1-invalid-token", "warned"),
        _requirement("RFC7009-2.2-revoke-ok", "failed"),  # not in the expectations
        _requirement("RFC9700-4.14.2-rotation", "failed"),  # a race: not counted
        _requirement("RFC6749-4.3-issue", "skipped"),
    )
    listed = ("RFC6749-5.1-pragma", "RFC6750-3.1-invalid-token")
    expected = LegExpectations(
        {rid: _deviation(rid) for rid in listed}
        | {"RFC9700-4.14.2-rotation": _deviation("RFC9700-4.14.2-rotation", timing=True)}
    )
    line = row(server, "encoded-client", results, expected).line
    assert line == (
        f"| oidc-provider (`tests/realservers/oidc_provider/`) | {server.version} | encoded-client "
        "| client credentials | token, revocation, introspection | 1 | 2 | 1 | 1 | 1 | `RFC6749-5.1-pragma`; "
        "warned: `RFC6750-3.1-invalid-token`; not classified (false alarm or new finding): "
        "`RFC7009-2.2-revoke-ok`; timing, not counted: `RFC9700-4.14.2-rotation` |"
    )
    page = f"x\n{START}\nold\n{END}\ny"
    table = render([row(server, "encoded-client", results, expected)])
    written = replace_block(page, table)
    assert written.startswith("x\n") and written.endswith("\ny") and "old" not in written
    assert page_rows(written)[("oidc_provider", "encoded-client")] == line


def test_the_docs_matrix_has_one_row_per_server_and_leg() -> None:
    # The rows' contents come from real runs: the slow tier checks them (test_<server>.py).
    rows = page_rows(PAGE.read_text(encoding="utf-8"))
    assert rows.pop(("", "")) == HEADER
    assert sorted(rows) == sorted((server.name, leg.name) for server in SERVERS for leg in server.legs)
