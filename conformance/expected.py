"""What the RFC and the profile allow a generated request to get back.

The generators (`conformance.strategies`) attach these to the requests they make; the checks
(`conformance.checks.generated`) judge the answers by them. A module of its own so that the
checks never import the generators: each side imports only this vocabulary.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Outcome", "Verdict"]


class Verdict(IntEnum):
    """What the RFC and the profile allow for a request; combined moves take the strictest."""

    REFUSE = 0  # must not yield a token
    EITHER = 1  # both answers are allowed
    ISSUE = 2  # must yield a token


class Outcome(IntEnum):
    """What the protected resource must do with a request."""

    REFUSE = 0  # a 4xx
    EITHER = 1  # anything but a 5xx
    ACCEPT = 2  # a 2xx
