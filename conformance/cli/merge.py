"""`conformance merge RESULTS.json... --report-dir DIR`: many runs, one overview (HTML, junit, JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.report.merge import exit_code, junit_xml, merge, merged_document, overview_html

__all__ = ["add_arguments", "main"]


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "results", type=Path, nargs="+", metavar="RESULTS.json", help="results.json of each run"
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        required=True,
        help="where to write merged.json, overview.html and junit.xml",
    )


def main(args: Any) -> int:
    runs = merge(list(args.results))  # every file is checked before anything is written
    report_dir = Path(args.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{report_dir}: cannot create it: {exc.strerror or exc}") from None
    (report_dir / "merged.json").write_text(
        json.dumps(merged_document(runs), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (report_dir / "overview.html").write_text(overview_html(runs), encoding="utf-8")
    (report_dir / "junit.xml").write_bytes(junit_xml(runs))
    code = exit_code(runs)
    for run in runs:
        print(f"{run.name}: {('passed', 'failed', 'incomplete')[run.exit_code]} ({run.path})")
    print(f"merged {len(runs)} runs into {report_dir}")
    return code
