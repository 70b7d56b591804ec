"""The package's rooms import only the rooms below them:
model/prior -> train -> growth -> bench (plotting, checkpoint and preprocessing below those)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tabpfn_lite"

# room -> the rooms it may import (besides itself)
ALLOWED = {
    "model": set(),
    "prior": set(),
    "plotting": set(),
    "options": set(),
    "preprocessing": set(),
    "checkpoint": {"model"},
    "classifier": {"model", "checkpoint", "preprocessing"},
    "train": {"model", "prior", "checkpoint", "plotting"},
    "growth": {"model", "prior", "checkpoint", "plotting", "train"},
    "bench": {"classifier", "plotting", "options"},
}


def room_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_rooms(path: Path) -> set[str]:
    """The package rooms a module imports, from its absolute and relative imports."""
    rooms = set()
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for tabpfn_lite/x.py
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names = [node.module or ""]
            elif node.level - 1 == depth:  # relative to the package root
                names = [f"tabpfn_lite.{node.module or a.name}" for a in node.names]
            else:
                continue  # inside its own room
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "tabpfn_lite" and len(parts) > 1:
                rooms.add(parts[1])
    return rooms


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if room_of(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rooms_import_only_rooms_below(path):
    room = room_of(path)
    above = imported_rooms(path) - ALLOWED[room] - {room}
    assert not above, f"{path.relative_to(PACKAGE)} ({room}) imports {sorted(above)}"


def test_relative_imports_from_the_package_root_and_from_a_room_are_seen():
    assert imported_rooms(PACKAGE / "train.py") >= {"model", "prior", "plotting"}  # from .x
    assert imported_rooms(PACKAGE / "growth" / "analysis.py") >= {"plotting"}  # from ..x
