"""Copy result tables into README.md, benchmarks/results/README.md and docs/*.md between markers,
so their numbers always come from the files the benchmark scripts wrote:

    <!-- results: benchmarks/results/cc18_small/summary.md -->
    ...replaced...
    <!-- /results -->

    python benchmarks/update_readme.py
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"(<!-- results: (\S+) -->\n).*?(<!-- /results -->)", re.DOTALL)


def first_table(markdown: str) -> str:
    """The command line and the first Markdown table of a summary file."""
    lines = markdown.splitlines()
    command = next((line for line in lines if line.startswith("Command:")), "")
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
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
    return f"{match.group(1)}{first_table(source.read_text())}\n{match.group(3)}"


def main() -> None:
    for document in documents():
        document.write_text(BLOCK.sub(fill, document.read_text()))


if __name__ == "__main__":
    main()
