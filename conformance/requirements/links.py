"""Where a requirement's source can be read: anchors into the RFC text, or the profile's citation.

A catalogue source reads "RFC 6749 §5.1, Appendix A.14" or "RFC 6749 §5.1, §7.1; RFC 6750 §4":
each part becomes a link to https://www.rfc-editor.org/rfc/rfc6749#section-5.1 (appendices
#appendix-A.14), the anchors rfc-editor.org's HTML renderings carry. A `DOC-*` requirement's
source names a profile section ("provider documentation (profile resource.rejection)"): its
real citation is that section's `source` in the profile ("000 §Make an api request"), and the
documents it cites are the profile's `sources` ("000": the seed file's name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.profile import Profile
from conformance.requirements.catalogue import Requirement

__all__ = [
    "ASSUMPTION",
    "SourceLink",
    "cited_documents",
    "label",
    "profile_section",
    "rfc_links",
    "source_links",
]

# The level a requirement shows when a client's assumption, not the provider's documentation,
# is what it checks: it fails a run as PROVIDER-DOC does.
ASSUMPTION = "ASSUMPTION"

RFC_URL = "https://www.rfc-editor.org/rfc/rfc{number}"
_RFC = re.compile(r"RFC\s*(\d+)", re.IGNORECASE)
_REFERENCE = re.compile(r"§\s*(\d+(?:\.\d+)*)|Appendix\s+([A-Z](?:\.\d+)*)")
_PROFILE_SECTION = re.compile(r"\(profile ([\w.]+)\)")


@dataclass(frozen=True, slots=True)
class SourceLink:
    text: str
    url: str | None  # None: plain text (a citation with no public address)


def rfc_links(source: str) -> list[SourceLink]:
    """Each section of each RFC a catalogue source names, with its anchor; other text as it is."""
    links: list[SourceLink] = []
    for part in (p.strip() for p in source.split(";")):
        rfc = _RFC.match(part)
        if rfc is None:
            if part:
                links.append(SourceLink(part, None))
            continue
        base = RFC_URL.format(number=rfc.group(1))
        references = list(_REFERENCE.finditer(part))
        if not references:
            links.append(SourceLink(part, base))
            continue
        for index, reference in enumerate(references):
            section, appendix = reference.groups()
            anchor = f"#section-{section}" if section else f"#appendix-{appendix}"
            # The first link carries the RFC's name; the rest read as in the source.
            text = f"RFC {rfc.group(1)} {reference.group(0)}" if index == 0 else reference.group(0)
            links.append(SourceLink(text, base + anchor))
    return links


def profile_section(requirement: Requirement) -> str | None:
    """The profile section a `DOC-*` requirement's source names ("resource.rejection" -> "resource")."""
    match = _PROFILE_SECTION.search(requirement.source)
    return match.group(1).split(".")[0] if match else None


def label(requirement: Requirement, profile: Profile | None) -> tuple[str, str]:
    """(level, source) as a run of `profile` shows them: a `DOC-*` requirement of a section a
    client's assumptions set reads `ASSUMPTION`, with the assumption's own source (its ticket)."""
    section = profile_section(requirement)
    if profile is not None and section in profile.assumed_sections:
        return ASSUMPTION, f"{profile.name} profile, {section}: {profile.source_of(section)}"
    return requirement.level.value, requirement.source


def cited_documents(profile: Profile, citation: str) -> list[str]:
    """The documents (the profile's `sources`) a citation names by key, e.g. "003 §Response ..."."""
    return [
        f"{key}: {name}"
        for key, name in profile.sources.items()
        if re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", citation)
    ]


def source_links(requirement: Requirement, profile: Profile) -> list[SourceLink]:
    """Where to read `requirement`: the RFC anchors, or the profile's own citation."""
    section = profile_section(requirement)
    if section is None:
        return rfc_links(requirement.source)
    citation = profile.source_of(section)
    links = [SourceLink(f"{profile.name} profile, {section}: {citation}", None)]
    # A provider profile may cite an RFC where its documentation is silent ("rfc6749 §5.2").
    links += [link for link in rfc_links(citation.replace("rfc", "RFC ")) if link.url is not None]
    return links
