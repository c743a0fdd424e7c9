"""Tool errors: the suite could not do its job (never a finding about the target).

    ConformanceError
    ├── ProfileError         a profile file is missing, malformed or invalid
    ├── UsageError           options that do not fit together
    ├── BudgetExhausted      the run's request budget is spent
    ├── SuiteError           the suite itself failed (a request it built that could not be
    │                        sent, a bug in a check): never the target's fault
    └── TargetError          the target could not be talked to
        ├── TargetUnreachable   connection refused, DNS failure, TLS error
        └── TransportFailure    timeout or broken exchange during a scenario

Findings (non-conformance of the target) live in `conformance.engine.findings`.
"""

from __future__ import annotations

__all__ = [
    "BudgetExhausted",
    "ConformanceError",
    "ProfileError",
    "SuiteError",
    "TargetError",
    "TargetUnreachable",
    "TokenBudgetSpent",
    "TransportFailure",
    "UsageError",
]


class ConformanceError(Exception):
    """Base of every error the tool raises about its own use."""


class ProfileError(ConformanceError):
    """A profile could not be loaded: the message names the file and the field path."""


class UsageError(ConformanceError):
    """Options or environment that do not fit together."""


class BudgetExhausted(ConformanceError):
    """The run has sent as many requests as it may; it stops, reports written."""


class TokenBudgetSpent(ConformanceError):
    """The run holds as many tokens as it may obtain (--max-tokens): a scenario that needs another
    is not checked, the run goes on (requests the server must refuse cost no token)."""


class SuiteError(ConformanceError):
    """The suite could not do what it meant to (a request the HTTP library refused to send).

    A bug of the suite, reported as such: the requirements of the test are not established,
    and no requirement fails.
    """


class TargetError(ConformanceError):
    """The target could not be talked to."""


class TargetUnreachable(TargetError):
    """No connection could be made (refused, DNS, TLS)."""


class TransportFailure(TargetError):
    """An exchange broke off (timeout, reset, protocol error)."""
