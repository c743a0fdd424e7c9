"""What a probe learned: profile fields by dotted path, each with the experiment behind it.

A reviewer has to be able to tell a value the server demonstrated from one the probe could not
decide, so every value is kept together with one line saying how it was learned; the writer
turns that line into the YAML comment above the field. An exchange cited as evidence gives only
its sequence number, its status and an RFC 6749 error code: never a body, a header or a URL,
which may carry what the run must not repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.client import Exchange

__all__ = ["Draft", "Fact", "outcome"]


@dataclass(frozen=True, slots=True)
class Fact:
    value: Any
    how: str


@dataclass(slots=True)
class Draft:
    """The learned profile, before it is written; facts are keyed `section.field[.field]`."""

    name: str
    url: str
    token_path: str
    resource_path: str | None
    facts: dict[str, Fact] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # section -> its `source:` line
    remarks: list[str] = field(default_factory=list)  # for the header: what a reviewer should know
    requests: int = 0
    token_requests: int = 0
    elapsed: float = 0.0

    def learn(self, path: str, value: Any, how: str) -> None:
        self.facts[path] = Fact(value, " ".join(how.split()))

    def learn_unless_known(self, path: str, value: Any, how: str) -> None:
        """Fill a field an experiment could not reach (budget spent, no resource)."""
        if path not in self.facts:
            self.learn(path, value, how)

    def value(self, path: str, default: Any = None) -> Any:
        fact = self.facts.get(path)
        return default if fact is None else fact.value

    def source(self, section: str, text: str) -> None:
        self.sources[section] = " ".join(text.split())

    def mapping(self) -> dict[str, Any]:
        """The profile fields as nested mappings, as YAML would load them (comments aside)."""
        data: dict[str, Any] = {}
        for path, fact in self.facts.items():
            node = data
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = fact.value
        for section, text in self.sources.items():
            data.setdefault(section, {})["source"] = text
        return data


def outcome(exchange: Exchange) -> str:
    """`#3 HTTP 401 invalid_client`: what a reviewer needs, with nothing secret."""
    if exchange.status is None:
        return f"#{exchange.seq} no response"
    code = f" {exchange.error_code}" if exchange.error_code and len(exchange.error_code) < 40 else ""
    return f"#{exchange.seq} HTTP {exchange.status}{code}"
