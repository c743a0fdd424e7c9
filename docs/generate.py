"""The documentation's generated blocks, rewritten from their sources: `python docs/generate.py`.

Each block stands in a page between `<!-- NAME:start ... -->` and `<!-- NAME:end -->` and is the
output of a command (`conformance requirements --markdown`) or a table of a JSON Schema's fields;
`--check` rewrites nothing and exits 1 naming the stale pages. `tests/test_docs.py` compares every
block with what this script makes. The real servers' matrix is not here: it needs the servers'
runs (`python -m tests.realservers.matrix --docs`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
REGENERATE = "python docs/generate.py"


def command_output(*args: str) -> str:
    """What `conformance ARGS` prints, run in this process."""
    from conformance.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    if code != 0:
        raise RuntimeError(f"conformance {' '.join(args)} exited {code}")
    return out.getvalue()


# -- a JSON Schema's fields as a table ----------------------------------------------------------
def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _literal(value: Any) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


class _Schema:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """The node, its local `$ref` followed (the referring node's own keywords win)."""
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = self.root
        for part in ref[2:].split("/"):
            target = target[part]
        return {**self.resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}

    def values(self, node: Mapping[str, Any]) -> str:
        """What a field may hold, in a few words."""
        node = self.resolve(node)
        if "const" in node:
            return _literal(node["const"])
        if "enum" in node:
            return " | ".join(_literal(v) for v in node["enum"])
        for key in ("oneOf", "anyOf"):
            if key in node:
                return " or ".join(self.values(option) for option in node[key])
        kinds = node.get("type", "")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        words = []
        for kind in kinds:
            if kind == "array" and isinstance(node.get("items"), Mapping):
                words.append(f"list of {self.values(node['items'])}")
            elif kind == "integer" and "minimum" in node:
                words.append(f"integer ≥ {node['minimum']}")
            elif kind == "integer" and "exclusiveMinimum" in node:
                words.append(f"integer > {node['exclusiveMinimum']}")
            elif kind == "string" and "pattern" in node:
                words.append(f"string matching `{node['pattern']}`")
            elif kind == "string" and "format" in node:
                words.append(f"string ({node['format']})")
            else:
                words.append(kind or "any")
        return " or ".join(words) or "any"

    def rows(self) -> Iterator[tuple[str, str, str]]:
        """(field path, values, description) for every field, depth first, in schema order; of
        each entry's fields where the document is a list."""
        top: Mapping[str, Any] = self.root["items"] if self.root.get("type") == "array" else self.root
        yield from self._rows(top, "")

    def _rows(self, node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str, str]]:
        node = self.resolve(node)
        required = set(node.get("required", ()))
        for name, child in node.get("properties", {}).items():
            path = f"{prefix}{name}"
            child = self.resolve(child)
            values = self.values(child) + (" (required)" if name in required else "")
            yield path, values, child.get("description", "")
            yield from self._children(child, path)

    def _children(self, node: Mapping[str, Any], path: str) -> Iterator[tuple[str, str, str]]:
        if "properties" in node:
            yield from self._rows(node, f"{path}.")
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping) and extra:
            extra = self.resolve(extra)
            yield f"{path}.<key>", self.values(extra), extra.get("description", "")
            yield from self._children(extra, f"{path}.<key>")
        items = node.get("items")
        if isinstance(items, Mapping) and "properties" in self.resolve(items):
            yield from self._rows(items, f"{path}[].")


def _lookup(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


def profile_fields() -> str:
    """Every field of a profile, from `schemas/profile.schema.json`, with the value every profile
    inherits from `profiles/rfc6749.yaml`."""
    schema = _Schema(ROOT / "schemas" / "profile.schema.json")
    inherited = yaml.safe_load((ROOT / "profiles" / "rfc6749.yaml").read_text(encoding="utf-8"))
    lines = ["| field | values | in `rfc6749` | description |", "|---|---|---|---|"]
    for path, values, description in schema.rows():
        value = _lookup(inherited, path)
        shown = "" if value is None or isinstance(value, dict) else _literal(value)
        if path.split(".", 1)[0] in ("name", "title", "sources", "emulator"):
            shown = ""  # rfc6749's own name and documents, and its emulator's made-up values
        lines.append(f"| `{path}` | {_cell(values)} | {_cell(shown)} | {_cell(description)} |")
    return "\n".join(lines)


def schema_fields(name: str) -> Callable[[], str]:
    def table() -> str:
        schema = _Schema(ROOT / "schemas" / name)
        lines = ["| field | values | description |", "|---|---|---|"]
        lines += [f"| `{p}` | {_cell(v)} | {_cell(d)} |" for p, v, d in schema.rows()]
        return "\n".join(lines)

    table.__doc__ = f"Every field of `schemas/{name}`."
    return table


def openapi_tourpaq() -> str:
    return "```yml\n" + command_output("openapi", "--profile", "tourpaq") + "```"


# -- the blocks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    page: str  # under docs/
    name: str
    source: str  # what it is generated from, as the start marker names it
    make: Callable[[], str]

    @property
    def start(self) -> str:
        return f"<!-- {self.name}:start: generated from {self.source} by `{REGENERATE}`; do not edit -->"

    @property
    def end(self) -> str:
        return f"<!-- {self.name}:end -->"

    def pattern(self) -> re.Pattern[str]:
        return re.compile(
            re.escape(f"<!-- {self.name}:start") + r"[^\n]*\n(.*?)\n?" + re.escape(self.end), re.S
        )

    def _match(self) -> re.Match[str]:
        text = (DOCS / self.page).read_text(encoding="utf-8")
        match = self.pattern().search(text)
        if match is None:
            raise ValueError(f"docs/{self.page}: no {self.start} ... {self.end} block")
        return match

    def written(self) -> str:
        """The block's content as the page holds it now."""
        return self._match().group(1).strip("\n")

    def whole(self, content: str) -> str:
        """The block as it should stand in the page, markers included."""
        return f"{self.start}\n{content}\n{self.end}"

    def is_current(self, content: str) -> bool:
        return self._match().group(0) == self.whole(content)

    def rewrite(self, content: str) -> None:
        path = DOCS / self.page
        text = path.read_text(encoding="utf-8")
        match = self._match()
        path.write_text(text[: match.start()] + self.whole(content) + text[match.end() :], encoding="utf-8")


BLOCKS = (
    Block(
        "reference/requirements.md",
        "requirements",
        "`conformance requirements --markdown`",
        lambda: command_output("requirements", "--markdown").strip("\n"),
    ),
    Block(
        "reference/coverage.md",
        "coverage",
        "`conformance requirements --coverage`",
        lambda: command_output("requirements", "--coverage").strip("\n"),
    ),
    Block(
        "reference/openapi.md", "openapi:tourpaq", "`conformance openapi --profile tourpaq`", openapi_tourpaq
    ),
    Block(
        "reference/profiles.md",
        "profile-fields",
        "`schemas/profile.schema.json` and `profiles/rfc6749.yaml`",
        profile_fields,
    ),
    Block(
        "reference/results.md",
        "results-fields",
        "`schemas/results.schema.json`",
        schema_fields("results.schema.json"),
    ),
    Block(
        "how-to/baselines.md",
        "baseline-fields",
        "`schemas/baseline.schema.json`",
        schema_fields("baseline.schema.json"),
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 if a page is stale")
    args = parser.parse_args(argv)
    stale = []
    for block in BLOCKS:
        content = block.make().strip("\n")
        if block.is_current(content):
            continue
        stale.append(f"docs/{block.page} ({block.name})")
        if not args.check:
            block.rewrite(content)
    for page in stale:
        print(f"{'stale' if args.check else 'rewrote'}: {page}", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
