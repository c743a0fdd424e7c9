"""junit.xml's pytest side: requirement ids as testcase properties; the file rewritten after pytest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.engine.run import ConformanceRun
from conformance.pytest_plugin.markers import requirement_ids
from conformance.pytest_plugin.stash import LOG, RESULTS
from conformance.report.junit import requirement_properties, rewrite

__all__ = ["JunitHooks", "junit_path"]


def junit_path(config: pytest.Config) -> Path | None:
    xmlpath = config.getoption("xmlpath", None)
    if not xmlpath:
        return None
    # As pytest's junitxml resolves it.
    return Path(os.path.normpath(os.path.abspath(os.path.expanduser(os.path.expandvars(xmlpath)))))


class JunitHooks:
    """Registered by the plugin when --junitxml is given."""

    def __init__(self, run: ConformanceRun, config: pytest.Config) -> None:
        self.run = run
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        # junit.xml takes a testcase's properties from its teardown report, which copies
        # item.user_properties when teardown ends: findings are all known by then.
        ids = list(requirement_ids(item))
        log = item.stash.get(LOG, None)
        failed: list[str] = []
        if log is not None:
            ids += [f.requirement.id for f in log.findings]
            failed = list(dict.fromkeys(f.requirement.id for f in log.failures))
        item.user_properties.extend(requirement_properties(ids, self.run.profile))
        # Which of them this test failed: a baseline may accept exactly those (see `rewrite`).
        item.user_properties.extend(("failed", requirement_id) for requirement_id in failed)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # After pytest's junitxml wrote the file; xdist workers write none.
        path = junit_path(self.config)
        if path is None or hasattr(self.config, "workerinput") or not path.exists():
            return
        rewrite(path, self.run, self.config, self.config.stash.get(RESULTS, None))
