"""Copy result tables into README.md between markers, so README numbers always come from the
files the benchmark scripts wrote:

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


def main() -> None:
    readme = ROOT / "README.md"

    def fill(match: re.Match) -> str:
        source = ROOT / match.group(2)
        if not source.exists():
            return match.group(0)
        return f"{match.group(1)}{first_table(source.read_text())}\n{match.group(3)}"

    readme.write_text(BLOCK.sub(fill, readme.read_text()))


if __name__ == "__main__":
    main()
