"""README, docs/ and benchmarks/results/README.md: tables from the result files, links that
resolve, and no paths of one machine in tracked files."""

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("update_readme", ROOT / "benchmarks/update_readme.py")
update_readme = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update_readme)
DOCUMENTS = update_readme.documents()
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_tables_are_those_of_the_result_files(document):
    text = document.read_text()
    assert update_readme.BLOCK.sub(update_readme.fill, text) == text, (
        f"{document.relative_to(ROOT)} is behind its result files: "
        "run python benchmarks/update_readme.py"
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(document):
    links = [m for m in LINK.findall(document.read_text()) if "://" not in m]
    missing = [m for m in links if not (document.parent / m).exists()]
    assert links and not missing, f"{document.relative_to(ROOT)}: broken links {missing}"


def test_readme_stays_short_and_leads_with_the_setup_and_headline():
    readme = (ROOT / "README.md").read_text()
    assert len(readme) < 12_000
    assert readme.index("pip install torch==2.13.0") < readme.index("## Headline result")
    assert "mean ROC-AUC |   mean accuracy" in readme  # both metrics side by side


def test_no_tracked_file_names_a_machine_path():
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    machine_path = re.compile(r"(?<![\w.])/(?:work|tmp|root|home)/")
    offenders = []
    for name in listed:
        path = ROOT / name
        if name.startswith("tests/") or path.suffix in {".png", ".safetensors"}:
            continue
        text = path.read_text(errors="ignore")
        offenders += [f"{name}: {m.group(0)}" for m in machine_path.finditer(text)][:1]
    assert not offenders, offenders


def test_a_heading_after_the_path_picks_the_table_under_it():
    summary = (
        "Command: `run it`\n\n| a |\n|---|\n| 1 |\n\n## Paired differences\n\n| b |\n|---|\n| 2 |\n"
    )
    assert update_readme.first_table(summary) == "Command: `run it`\n\n| a |\n|---|\n| 1 |"
    paired = update_readme.first_table(summary, "Paired")
    assert paired == "Command: `run it`\n\n| b |\n|---|\n| 2 |"
    match = update_readme.BLOCK.search(
        "<!-- results: x/summary.md#Paired differences -->\nold\n<!-- /results -->"
    )
    assert match.group(2, 3) == ("x/summary.md", "Paired differences")
