"""Copy result tables into README.md, benchmarks/results/README.md and docs/*.md between markers,
so their numbers always come from the files the benchmark scripts wrote:

    <!-- results: benchmarks/results/cc18_small/summary.md -->
    ...replaced...
    <!-- /results -->

A `#heading` after the path takes the first table under the first `##` heading that starts with
that text instead (`summary.md#Paired differences`).

    python benchmarks/update_readme.py
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"(<!-- results: ([^#\s]+)(?:#([^>]+?))? -->\n).*?(<!-- /results -->)", re.DOTALL
)


def first_table(markdown: str, heading: str | None = None) -> str:
    """The command line and the first Markdown table of a summary file (under the first `##`
    heading that starts with `heading`, if given)."""
    lines = markdown.splitlines()
    command = next((line for line in lines if line.startswith("Command:")), "")
    after = 0
    if heading:
        after = next(i for i, line in enumerate(lines) if line.startswith(f"## {heading}"))
    start = next(i for i in range(after, len(lines)) if lines[i].startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join([command, "", *lines[start:end]])


def documents() -> list[Path]:
    results = ROOT / "benchmarks" / "results"
    return [
        ROOT / "README.md",
        results / "README.md",
        *sorted(results.glob("*/README.md")),
        *sorted((ROOT / "docs").glob("*.md")),
    ]


def fill(match: re.Match) -> str:
    source = ROOT / match.group(2)
    if not source.exists():
        return match.group(0)
    table = first_table(source.read_text(), match.group(3))
    return f"{match.group(1)}{table}\n{match.group(4)}"


def main() -> None:
    for document in documents():
        document.write_text(BLOCK.sub(fill, document.read_text()))


if __name__ == "__main__":
    main()
