"""The peer tests a requirement mirrors: where the maintainers of widely used OAuth servers assert
the same behaviour in their own test suites.

A citation names the repository on GitHub, the test file and the test (a function, or an RSpec
example's description), as the repository's default branch has them. The coverage table lists
them beside the requirement (`conformance requirements --coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PeerTest", "authlib", "doorkeeper", "dot", "oauthlib"]


@dataclass(frozen=True, slots=True)
class PeerTest:
    repo: str  # owner/name on GitHub
    path: str  # the test file in it
    test: str  # the test function, or the RSpec example's description

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}/blob/HEAD/{self.path}"

    def markdown(self) -> str:
        return f"{self.repo} [`{self.path.rsplit('/', 1)[-1]}::{self.test}`]({self.url})"


def oauthlib(path: str, test: str) -> PeerTest:
    return PeerTest("oauthlib/oauthlib", f"tests/oauth2/rfc6749/{path}", test)


def dot(path: str, test: str) -> PeerTest:
    return PeerTest("jazzband/django-oauth-toolkit", f"tests/{path}", test)


def authlib(path: str, test: str) -> PeerTest:
    return PeerTest("lepture/authlib", f"tests/flask/test_oauth2/{path}", test)


def doorkeeper(path: str, test: str) -> PeerTest:
    return PeerTest("doorkeeper-gem/doorkeeper", f"spec/{path}", test)
