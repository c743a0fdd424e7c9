"""The HTML report in a real browser: headless Chromium, driven over the DevTools protocol.

A failing report is opened, a failure's exchanges are expanded by a click, and what a person
would see is read back (`innerText` holds only rendered text: a closed `<details>` hides its
exchanges); the console must stay free of errors. Chromium talks the protocol over a pipe
(`--remote-debugging-pipe`: fd 3 in, fd 4 out, messages ending in NUL), so no dependency is
needed. `.ci/run` installs Chromium where it is missing; without it this test skips.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SuiteRun

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))),
    None,
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it with apt)"),
]
PATIENCE = 60.0  # seconds before a silent browser counts as hung (a bound, not a measurement)


class DevTools:
    """A minimal DevTools-protocol client for one page of a headless Chromium."""

    def __init__(self, executable: str, profile_dir: Path) -> None:
        child_reads, self._to_browser = os.pipe()
        self._from_browser, child_writes = os.pipe()

        def wire_pipe() -> None:  # in the child: Chromium reads fd 3 and writes fd 4
            reads, writes = os.dup(child_reads), os.dup(child_writes)  # clear of 3 and 4
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",  # the CI container runs as root
                "--disable-gpu",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile_dir}",
                "--window-size=1400,1800",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire_pipe,
        )
        os.close(child_reads)
        os.close(child_writes)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("the browser did not answer")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise ConnectionError("the browser closed its pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, browser: bool = False
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if not browser and self.session is not None:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + PATIENCE
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") != self._next_id:
                self.events.append(answer)
                continue
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            result: dict[str, Any] = answer["result"]
            return result

    def wait_for(self, event: str) -> None:
        deadline = time.monotonic() + PATIENCE
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._read_message(deadline))

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, browser=True
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        answer = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"script failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def console_errors(self) -> list[str]:
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(str(params["entry"].get("text")))
        return errors

    def screenshot(self, path: Path) -> None:
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.send("Browser.close", browser=True)
        except (RuntimeError, TimeoutError, ConnectionError, OSError):
            pass
        try:
            self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    assert CHROMIUM is not None
    devtools = DevTools(CHROMIUM, tmp_path / "chromium-profile")
    yield devtools
    devtools.close()


# What a person does: the failed row is open by default (pytest-html folds only passed rows);
# its exchanges are folded until clicked.
EXPAND_FAILURE = """
(() => {
  const row = document.querySelector('tbody.failed');
  const folded = row.querySelector('details.conformance-exchanges');
  const before = row.innerText;
  folded.querySelector('summary').click();
  return {id: row.id, before, after: row.innerText, open: folded.open,
          summary: folded.querySelector('summary').innerText};
})()
"""

FOLLOW_LINK = """
(() => {
  const link = document.getElementById('req-RFC6749-5.2-error').querySelector('td:last-child a');
  link.click();
  const row = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  return {href: link.getAttribute('href'), hash: location.hash, found: row !== null,
          top: row ? row.getBoundingClientRect().top : null, height: window.innerHeight,
          settled: document.getElementById('settled').innerText};
})()
"""


def test_failure_is_readable_in_chromium(
    run_suite: Callable[..., SuiteRun], browser: DevTools, tmp_path: Path
) -> None:
    run = run_suite(
        "daysoutguide",
        "--conformance-defect",
        "invalid-grant-401",
        "-k",
        "test_wrong_resource_owner_credentials_are_refused or test_expiry",
        reports=True,
    )
    assert run.ret == 1, run.output
    assert run.status("RFC6749-5.2-error") == "failed"
    browser.open((run.report_dir / "report.html").as_uri())

    failure = browser.evaluate(EXPAND_FAILURE)
    assert failure["open"], failure
    assert failure["summary"].startswith("exchanges (")
    # The requirement and its evidence are on screen; the exchange only once expanded.
    assert "RFC6749-5.2-error [MUST, RFC 6749 §5.2]" in failure["after"]
    assert "expected:" in failure["after"] and "got:" in failure["after"]
    exchange = "> POST http://emulator.conformance/token?grant_type=password"
    assert exchange not in failure["before"]
    assert exchange in failure["after"]
    assert "<password>" in failure["after"]  # masked, as everywhere

    followed = browser.evaluate(FOLLOW_LINK)
    assert followed["found"], followed  # the verdict's link lands on a test row of this report
    assert 0 <= followed["top"] < followed["height"], followed  # scrolled into view
    assert "the document says milliseconds; the service counts seconds" in followed["settled"]

    browser.screenshot(tmp_path / "report.png")  # for a person debugging this test
    assert browser.console_errors() == []


# What the three kinds of run look like at the top of their report: its verdict banner's colour.
VERDICT_COLOURS = {"FAIL": (0xC6, 0x28, 0x28), "PASS": (0x2E, 0x7D, 0x32), "INCOMPLETE": (0xEF, 0x6C, 0x00)}
SOME_TESTS = "test_token_response_is_as_documented or test_refresh_returns_a_new_pair"

# Everything a reader can open, opened: the widest the page gets.
OPEN_EVERYTHING = """
(() => {
  document.getElementById('show_all_details')?.click();
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const verdict = document.getElementById('conformance-verdict');
  const box = verdict.getBoundingClientRect();
  return {scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth,
          top: box.top, left: box.left, text: verdict.innerText,
          firstHeading: document.querySelector('h1').getBoundingClientRect().bottom,
          environment: document.getElementById('environment').getBoundingClientRect().top};
})()
"""

# The screenshot, decoded by the browser itself: its size and the colour at a point.
PIXEL = """
(async () => {
  const image = new Image();
  image.src = 'data:image/png;base64,%s';
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const [r, g, b] = context.getImageData(%d, %d, 1, 1).data;
  return {width: image.width, height: image.height, rgb: [r, g, b]};
})()
"""


@pytest.mark.parametrize("kind", ["failing", "baselined", "incomplete"])
def test_the_report_leads_with_its_verdict_and_fits_1400_pixels(
    run_suite: Callable[..., SuiteRun], browser: DevTools, tmp_path: Path, kind: str
) -> None:
    """Acceptance 2: a failing, a baselined-passing and an incomplete report, each screenshot in
    headless Chromium at 1,400 pixels: the verdict's banner is the first thing under the title,
    and nothing, every fold opened, scrolls sideways."""
    arguments = ["-k", SOME_TESTS]
    if kind != "incomplete":
        arguments += ["--conformance-defect", "expires-in-string"]
    if kind == "baselined":
        accepted = tmp_path / "baseline.yaml"
        accepted.write_text("- requirement: RFC6749-5.1-expires-in\n  reason: legacy parser, TICKET-9\n")
        arguments += ["--conformance-baseline", str(accepted)]
    if kind == "incomplete":
        arguments += ["--conformance-max-requests", "3"]
    run = run_suite("tourpaq", *arguments, reports=True)
    word = {"failing": "FAIL", "baselined": "PASS", "incomplete": "INCOMPLETE"}[kind]
    assert run.ret == {"FAIL": 1, "PASS": 0, "INCOMPLETE": 2}[word], run.output
    assert f"conformance: {word}: " in run.output  # the terminal says it too

    browser.open((run.report_dir / "report.html").as_uri())
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    page = browser.evaluate(OPEN_EVERYTHING)
    assert page["text"].startswith(f"{word}: "), page
    assert page["firstHeading"] <= page["top"] < page["firstHeading"] + 40, page  # right under the title
    assert page["environment"] > page["top"]  # the environment table comes after
    assert page["scrollWidth"] <= page["width"] == 1400, page  # no horizontal scroll

    browser.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / f"{kind}.png"
    browser.screenshot(shot)
    x, y = int(page["left"]) + 4, int(page["top"]) + 4
    seen = browser.evaluate(PIXEL % (base64.b64encode(shot.read_bytes()).decode(), x, y))
    assert seen["width"] == 1400, seen
    assert tuple(seen["rgb"]) == VERDICT_COLOURS[word], seen
    assert browser.console_errors() == []
