"""One property search inside a scenario: examples kept apart, counterexamples explained.

Hypothesis runs a property many times and does not reset pytest fixtures between examples, so
each example opens here (`Search.example`): the emulator (if any) is reset and the run's
exchanges go to the example's own finding log (`ConformanceRun.recording_into`). An example
whose log holds a failing finding raises `Counterexample`, which hypothesis shrinks to a
minimal one; the test then fails with that example's transcript, its findings and the seed to
replay it, and only its findings reach the test's log (and so the reports).
Warnings (SHOULD, INFO) are kept, one per requirement.

One finding never hides another. A search owes a verdict on each requirement it covers; when it
meets a counterexample of one, it records it, sets that requirement aside (later examples that
fail only requirements already shown are no counterexamples) and searches on, in rounds, with
what is left of its budget, until every requirement it covers has a counterexample or the budget
is spent. Explicit examples (the cases that matter, tried on every target) run first, each once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import pytest
from hypothesis import given, seed
from hypothesis.errors import Flaky
from hypothesis.strategies import SearchStrategy

from conformance.client import Exchange
from conformance.engine.findings import Finding, FindingLog
from conformance.engine.progress import PROGRESS, SearchProgress
from conformance.engine.run import ConformanceRun
from conformance.engine.scenario import Scenario
from conformance.engine.search import Budget, budget_for, strategies_alone
from conformance.errors import BudgetExhausted, ConformanceError, TargetError, TokenBudgetSpent
from conformance.report.results import rerun_of
from conformance.requirements import Requirement, get
from conformance.requirements.links import label

__all__ = ["OVERLOADED", "Counterexample", "Example", "Halt", "Search", "search_id"]

T = TypeVar("T")
# Exchanges of the first few examples are kept in the report, to show what the search sent.
SHOWN_EXAMPLES = 3


def search_id(request: pytest.FixtureRequest) -> str:
    """The test's module and name: the same wherever pytest runs from."""
    return f"{request.node.module.__name__.rsplit('.', 1)[-1]}::{request.node.name}"


class Counterexample(Exception):
    """An example the target failed: its transcript and the findings that fail the run."""

    def __init__(self, lines: list[str], findings: list[Finding], exchanges: list[Exchange]) -> None:
        super().__init__(findings[0].requirement.id if findings else "counterexample")
        self.lines = lines
        self.findings = findings
        self.exchanges = exchanges

    def render(self, show: Callable[[Finding], str] = Finding.render) -> str:
        """The transcript, then each finding as `show` renders it (with the run's replay command)."""
        steps = "\n".join(f"  {line}" for line in self.lines)
        return f"minimal example:\n{steps}\n\n" + "\n\n".join(show(f) for f in self.findings)


class Halt(BaseException):
    """Stops a search at once, past hypothesis (which would otherwise shrink, sending more).

    Raised when the budget is spent, the target cannot be talked to, or it says it is
    overloaded (429, 503): going on, or shrinking, would only send more requests.
    """

    def __init__(self, error: ConformanceError | None, found: Counterexample | None = None) -> None:
        super().__init__(str(error or found))
        self.error = error
        self.found = found


# Statuses that ask a client to slow down or stop: the search stops at the first.
OVERLOADED = (429, 503)

_KINDS: dict[str, type[Counterexample]] = {}


def _kind(requirement_id: str) -> type[Counterexample]:
    """One exception class per requirement, so hypothesis tells different failures apart."""
    if requirement_id not in _KINDS:
        name = "Counterexample_" + "".join(c if c.isalnum() else "_" for c in requirement_id)
        _KINDS[requirement_id] = type(name, (Counterexample,), {})
    return _KINDS[requirement_id]


class Example:
    """What a property sees of one example: the client's exchanges go to `log`."""

    def __init__(self, search: Search) -> None:
        self.search = search
        self.log = FindingLog()
        self.lines: list[str] = []

    def note(self, line: str) -> None:
        self.lines.append(line)

    def expect(self, findings: list[Finding]) -> None:
        self.log.extend(findings)

    def counterexample(self) -> Counterexample | None:
        """The example's failures of requirements the search has not yet shown to fail."""
        failures = [f for f in self.log.failures if f.requirement.id not in self.search.shown]
        if not failures:
            return None
        return _kind(failures[0].requirement.id)(list(self.lines), failures, list(self.log.exchanges))

    def check(self) -> None:
        """Raise the counterexample if this example failed a requirement so far; halt the search
        if the target asked to slow down."""
        found = self.counterexample()
        if found is not None:
            self.search.saw(found)
        if any(e.status in OVERLOADED for e in self.log.exchanges):
            raise Halt(None, found)
        if found is not None:
            raise found


class Search:
    """A property's search within one test: `run_given` or, for a state machine, `execute`."""

    def __init__(
        self,
        conformance: Scenario,
        run: ConformanceRun,
        budget: Budget,
        title: str,
        *held: Requirement,
        reset: bool = True,
        progress: SearchProgress | None = None,
    ) -> None:
        self.conformance = conformance
        self.progress = progress  # a live run's terminal line per example
        self.run = run
        self.budget = budget
        self.title = title
        self.held = held
        self.reset = reset  # reset the emulator before each example
        self.stopped: ConformanceError | None = None
        self.examples = 0
        # The first counterexample the current round met: the evidence, should its replay differ.
        self.first_found: Counterexample | None = None
        self.found: list[Counterexample] = []  # one per requirement shown to fail, in order
        self.shown: set[str] = set()  # the requirements those counterexamples fail
        self._why: list[str] = []  # what the rounds said of their counterexamples
        self.explicit_examples = 0
        self.overloaded = False  # the target answered 429 or 503: the search stopped
        self.planned = budget.examples  # examples it means to try: its key cases, then the budget
        self._warned: set[str] = set()
        # Requirements some examples could not test (a token the budget could not buy): why.
        self.untested: dict[str, str] = {}
        # Why the search as a whole made fewer moves than it would have (None: it did not).
        self.shortened: str | None = None

    @classmethod
    def for_test(
        cls,
        conformance: Scenario,
        request: pytest.FixtureRequest,
        kind: str,
        title: str,
        *held: Requirement,
        reset: bool = True,
    ) -> Search:
        """The search of `kind` (see conformance.engine.search.EXAMPLES) for the test `request` runs."""
        run: ConformanceRun = request.getfixturevalue("conformance_run")
        budget = budget_for(request.config, run.settings, kind, search_id(request))
        progress = request.config.stash.get(PROGRESS, None)
        return cls(conformance, run, budget, title, *held, reset=reset, progress=progress)

    # -- one example ---------------------------------------------------------------------
    def saw(self, found: Counterexample) -> None:
        if self.first_found is None:
            self.first_found = found

    @contextmanager
    def example(self) -> Iterator[Example]:
        """One example: the run's exchanges go to its own log while the block runs; when it
        closes, the test's log receives its warnings and, for the first few, its exchanges."""
        example = Example(self)
        if self.reset and self.run.emulator is not None and not self.run.settings.frugal:
            self.run.emulator.reset()
        self.examples += 1
        try:
            with self.run.recording_into(example.log):
                yield example
        finally:
            self._keep(example)
            if self.progress is not None:
                held = [r.id for r in self.held]
                self.progress.example(self.title, held, self.examples, self.planned, self.run.request_count)

    def _keep(self, example: Example) -> None:
        log = self.conformance.log
        for finding in example.log.warnings:
            if finding.requirement.id not in self._warned:
                self._warned.add(finding.requirement.id)
                log.add(finding)
        if self.examples <= SHOWN_EXAMPLES or self.run.settings.dry_run:  # a dry run lists them all
            for exchange in example.log.exchanges:
                log.record(exchange)

    # -- the search ----------------------------------------------------------------------
    def run_given(
        self, strategy: SearchStrategy[T], check: Callable[[T, Example], None], explicit: Sequence[T] = ()
    ) -> None:
        """Run `check` on each of `explicit`, then on examples drawn from `strategy`, in rounds
        until each requirement the search covers has a counterexample or the budget is spent; a
        failing example fails the test."""

        def search(value: T) -> None:
            with self.example() as example:
                try:
                    check(value, example)
                except (BudgetExhausted, TokenBudgetSpent, TargetError) as error:
                    raise Halt(error, example.counterexample()) from None
            example.check()

        self.planned = len(explicit) + self.budget.examples
        for value in explicit:
            # Outside hypothesis: each runs once, whatever another one showed.
            self.explicit_examples += 1
            self._round(partial(search, value))
            if self.halted:
                break

        def generated(settings: Any, seed_value: int) -> Callable[[], None]:
            return seed(seed_value)(settings(given(strategy)(search)))  # type: ignore[no-any-return]

        self.rounds(generated)

    def rounds(self, make: Callable[[Any, int], Callable[[], None]], owed: Iterable[str] = ()) -> None:
        """Run the search `make(settings, seed)` builds, again after each counterexample of a
        requirement not yet shown, until each requirement it covers (those it holds, and `owed`)
        is shown to fail, the budget is spent or the search is stopped; then give the test its
        outcome."""
        owing = {r.id for r in self.held} | set(owed)
        budget = self.budget.examples
        seed_value = self.budget.seed
        while not self.halted:
            before = self.examples
            found = len(self.found)
            settings = self.budget.settings
            left = budget - (self.examples - self.explicit_examples)
            if left <= 0:
                break
            self._round(make(type(settings)(settings, max_examples=left), seed_value))
            if len(self.found) == found or self.examples == before:
                break  # no new counterexample: the search is done
            if owing <= self.shown:
                break
            seed_value = (seed_value * 1103515245 + 12345) % 2**32  # the next round's own seed
        self._conclude()

    @property
    def halted(self) -> bool:
        """The search was stopped: the budget is spent, the target is silent or overloaded."""
        return self.stopped is not None or self.overloaded

    def execute(self, search: Callable[[], None]) -> None:
        """Run one hypothesis-decorated callable (one round) and give the test its outcome."""
        self._round(search)
        self._conclude()

    def _round(self, search: Callable[[], None]) -> None:
        """One run of hypothesis (or one explicit example): what it raises becomes counterexamples
        kept by the search, or stops it."""
        self.first_found = None
        try:
            with strategies_alone():
                search()
        except Halt as halt:
            self.stopped = halt.error
            if halt.found is not None:
                self._keep_found([halt.found])
                why = f"the search stopped: {halt.error}" if halt.error else "the target asked to slow down"
                self._why.append(why)
            if halt.error is None:
                self.overloaded = True
        except Counterexample as single:
            self._keep_found([single])
        except Flaky as flaky:
            replayed = _counterexamples(flaky) or ([self.first_found] if self.first_found else [])
            if not replayed:
                # Nothing seen fails a requirement: the test establishes nothing (no blame).
                raise pytest.fail.Exception(
                    f"{self.title}: the search could not replay what it saw ({type(flaky).__name__}) "
                    f"and kept no counterexample ({self.budget.replay_hint()})",
                    pytrace=False,
                ) from None
            self._keep_found(replayed)
            self._why.append(
                "the target answered differently when the example was replayed (its state had "
                "moved on): the counterexample as first seen"
            )
        except BaseExceptionGroup as group:
            several = _counterexamples(group)
            if not several:
                raise
            self._keep_found(several)

    def _keep_found(self, found: list[Counterexample]) -> None:
        for counterexample in found:
            new = {f.requirement.id for f in counterexample.findings} - self.shown
            if new:
                self.found.append(counterexample)
                self.shown |= new

    def _conclude(self) -> None:
        # A case the budget kept from being sent leaves what it would have judged partial, also
        # where that is a requirement this search does not hold (another test passes it).
        held = {r.id for r in self.held}
        for requirement_id, why in self.untested.items():
            if requirement_id not in held and requirement_id not in self.shown:
                self.conformance.log.partial(get(requirement_id), f"{self.title}: {why}")
        if self.found:
            self._fail(self.found, "; ".join(dict.fromkeys(self._why)))
        if self.overloaded:
            raise pytest.fail.Exception(
                f"{self.title}: the target answered 429 or 503; the search stopped", pytrace=False
            ) from None
        completed = self.examples - 1  # the example the spent budget stopped did not finish
        if isinstance(self.stopped, TokenBudgetSpent) and completed > 0:
            # What the examples before it covered stands; the rest of the search is not checked.
            for requirement in self.held:
                self.conformance.log.partial(
                    requirement,
                    f"no counterexample in {completed} examples, then {self.stopped} "
                    f"({self.budget.replay_hint()})",
                )
            return
        if self.stopped is not None:
            raise self.stopped
        note = f"no counterexample ({self.budget.replay_hint()})"
        for requirement in self.held:
            self._held(requirement, note)

    def _held(self, requirement: Requirement, note: str) -> None:
        """No counterexample: held, or partial where some examples could not test it."""
        untested = self.untested.get(requirement.id, self.shortened)
        if untested is None:
            self.conformance.log.held(requirement, note)
        else:
            self.conformance.log.partial(requirement, f"{note}; {untested}")

    def _show(self, finding: Finding) -> str:
        """A finding as the run shows it: its replay command, a client's assumption labelled so."""
        rerun = rerun_of(self.run.settings.report_dir, finding.requirement.id)
        return finding.render(rerun, label(finding.requirement, self.run.profile))

    def _fail(self, found: list[Counterexample], why: str = "") -> None:
        log = self.conformance.log
        for counterexample in found:
            log.extend(counterexample.findings)
            for exchange in counterexample.exchanges:
                log.record(exchange)
        for requirement in self.held:
            if requirement.id in self.shown:
                continue
            if self.halted:
                hint = self.budget.replay_hint()
                log.partial(requirement, f"no violation before the search stopped ({hint})")
            else:
                # The search went on past the others' counterexamples, to the end of its budget.
                self._held(requirement, f"no counterexample ({self.budget.replay_hint()})")
        headline = f"{self.title}: {len(found)} counterexample{'s' if len(found) != 1 else ''}"
        parts = [headline + (f" ({why})" if why else ""), self.budget.replay_hint()]
        parts += [c.render(self._show) for c in found]
        raise pytest.fail.Exception("\n\n".join(parts), pytrace=False) from None


def _counterexamples(error: BaseException) -> list[Counterexample]:
    if isinstance(error, Counterexample):
        return [error]
    if isinstance(error, BaseExceptionGroup):
        return [c for inner in error.exceptions for c in _counterexamples(inner)]
    return []
