"""What the suite covers of OAuth 2.0: the catalogue grouped by the RFC sections its sources cite.

Each requirement is listed under every RFC section its source names ("RFC 6749 §4.3.2, §5.2"
puts it under both), so a reader looking up a section finds every check that reads it. The
links are the ones `links.rfc_links` gives the reports. `DOC-*` requirements cite a provider's
documentation, not an RFC, and have no row.
"""

from __future__ import annotations

import re
from collections import defaultdict

from conformance.requirements.catalogue import Requirement, all_requirements
from conformance.requirements.links import RFC_URL, rfc_links

__all__ = [
    "NOT_COVERED",
    "PEERS_INTRO",
    "RFCS",
    "SECTION_TITLES",
    "coverage_markdown",
    "peers_markdown",
    "requirements_markdown",
]

# The RFCs the suite reads, in the order the table lists them.
RFCS = ("6749", "6750", "7009", "7662", "8414", "9068", "9110", "9700", "9728")

# Each cited section's own title in its RFC: what that row covers. A requirement citing a
# section missing here fails `coverage_markdown` (and the docs test), so the table never
# shows a row without saying what it is.
SECTION_TITLES: dict[tuple[str, str], str] = {
    ("6749", "2.3"): "Client authentication",
    ("6749", "2.3.1"): "Client password (HTTP Basic, or client_id/client_secret in the body)",
    ("6749", "3.2"): "Token endpoint (POST, parameters, no repeated parameters)",
    ("6749", "3.2.1"): "Client authentication at the token endpoint",
    ("6749", "3.3"): "Access token scope",
    ("6749", "4.3.2"): "Password grant: access token request",
    ("6749", "4.3.3"): "Password grant: access token response",
    ("6749", "4.4.2"): "Client credentials grant: access token request",
    ("6749", "4.4.3"): "Client credentials grant: access token response",
    ("6749", "5.1"): "Successful response (members, caching headers, expires_in, scope)",
    ("6749", "5.2"): "Error response (status, error codes)",
    ("6749", "6"): "Refreshing an access token",
    ("6749", "7.1"): "Access token types",
    ("6749", "10.4"): "Refresh tokens (bound to the client they were issued to)",
    ("6749", "10.10"): "Credentials-guessing attacks (unique, unguessable tokens)",
    ("6749", "A.12"): '"access_token" syntax',
    ("6749", "A.14"): '"expires_in" syntax',
    ("6749", "A.17"): '"refresh_token" syntax',
    ("6749", "B"): "Use of application/x-www-form-urlencoded media type",
    ("6750", "2"): "Authenticated requests (one method per request)",
    ("6750", "2.1"): "Authorization request header field",
    ("6750", "3"): "The WWW-Authenticate response header field",
    ("6750", "3.1"): "Error codes at the resource",
    ("6750", "4"): "Example access token response (token_type bearer)",
    ("6750", "5.3"): "Summary of recommendations (short-lived tokens)",
    ("7009", "2.1"): "Revocation request",
    ("7009", "2.2"): "Revocation response",
    ("7009", "2.2.1"): "Revocation error response",
    ("7662", "2.1"): "Introspection request",
    ("7662", "2.2"): "Introspection response",
    ("7662", "2.3"): "Error response",
    ("7662", "4"): "Security considerations (who may introspect)",
    ("8414", "2"): "Authorization server metadata",
    ("8414", "3.1"): "Authorization server metadata request",
    ("8414", "3.2"): "Authorization server metadata response",
    ("8414", "3.3"): "Authorization server metadata validation",
    ("9068", "2.1"): "JWT access token header",
    ("9068", "2.2"): "JWT access token data structure (claims)",
    ("9068", "4"): "Validating JWT access tokens",
    ("9110", "11.6.1"): "WWW-Authenticate",
    ("9110", "15.5.2"): "401 Unauthorized",
    ("9700", "2.4"): "Resource owner password credentials grant",
    ("9700", "4.14.2"): "Refresh token protection: recommendations",
    ("9728", "2"): "Protected resource metadata",
    ("9728", "3.2"): "Protected resource metadata response",
    ("9728", "3.3"): "Protected resource metadata validation",
}

NOT_COVERED = (
    "Not covered: the authorization code grant and PKCE, the implicit grant, the device "
    "authorization grant (RFC 8628), token exchange (RFC 8693), sender-constrained tokens (DPoP, "
    "RFC 9449; mutual TLS, RFC 8705), dynamic client registration (RFC 7591) and private_key_jwt "
    "client authentication (RFC 7523): the suite sends none of their requests. Rows list only the "
    "sections a requirement reads; `DOC-*` requirements check a provider's own documentation and "
    "are listed in the requirement catalogue."
)

PEERS_INTRO = (
    "The peer tests each requirement mirrors: where the maintainers of oauthlib, "
    "django-oauth-toolkit, Authlib and Doorkeeper assert the same behaviour in their own test "
    "suites (from the catalogue's `peers`; a requirement without a row cites none yet)."
)

_ANCHOR = re.compile(r"/rfc(\d+)#(section|appendix)-([\w.]+)$")


def _key(section: str) -> tuple[int, tuple[int, ...]]:
    """Numbered sections first, in numeric order, then appendices (A.12 before A.14)."""
    if section[0].isdigit():
        return (0, tuple(int(p) for p in section.split(".")))
    return (1, tuple(int(p) for p in section.split(".")[1:]))


def _sections(requirement: Requirement) -> list[tuple[str, str]]:
    cited = []
    for link in rfc_links(requirement.source):
        match = _ANCHOR.search(link.url or "")
        if match is not None and (match.group(1), match.group(3)) not in cited:
            cited.append((match.group(1), match.group(3)))
    return cited


def coverage_markdown() -> str:
    """docs/reference/coverage.md: RFC, section (linked), what it covers, the requirement ids citing it."""
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for requirement in all_requirements():
        for rfc, section in _sections(requirement):
            if rfc not in RFCS:
                raise ValueError(f"{requirement.id} cites RFC {rfc}: add it to coverage.RFCS")
            if (rfc, section) not in SECTION_TITLES:
                raise ValueError(
                    f"{requirement.id} cites RFC {rfc} {section}: add its title to coverage.SECTION_TITLES"
                )
            ids[rfc, section].append(requirement.id)
    lines = ["| RFC | section | what it covers | requirements |", "|---|---|---|---|"]
    for rfc, section in sorted(ids, key=lambda k: (RFCS.index(k[0]), _key(k[1]))):
        kind = "section" if section[0].isdigit() else "appendix"
        label = f"§{section}" if kind == "section" else f"Appendix {section}"
        url = RFC_URL.format(number=rfc) + f"#{kind}-{section}"
        requirement_ids = ", ".join(f"`{i}`" for i in ids[rfc, section])
        lines.append(
            f"| [RFC {rfc}]({RFC_URL.format(number=rfc)}) | [{label}]({url}) | "
            f"{SECTION_TITLES[rfc, section]} | {requirement_ids} |"
        )
    return "\n".join(lines) + "\n\n" + NOT_COVERED + "\n\n" + peers_markdown()


def peers_markdown() -> str:
    """The requirements that cite peer tests, each with them (repository, file and test)."""
    lines = [PEERS_INTRO, "", "| requirement | peer tests it mirrors |", "|---|---|"]
    for requirement in all_requirements():
        if requirement.peers:
            tests = "<br>".join(peer.markdown() for peer in requirement.peers)
            lines.append(f"| `{requirement.id}` | {tests} |")
    return "\n".join(lines) + "\n"


def requirements_markdown() -> str:
    lines = ["| id | level | source | statement |", "|---|---|---|---|"]
    for requirement in all_requirements():
        lines.append(
            f"| `{requirement.id}` | {requirement.level.value} | {requirement.source} | "
            f"{requirement.statement} |"
        )
    return "\n".join(lines) + "\n"
