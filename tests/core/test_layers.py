"""The floors hold: lint-imports keeps the contracts of pyproject.toml, and breaks them when a
module imports one it must not (imports inside functions included)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

GROUND_FLOOR = "The ground floor (core, org) imports no area and not the top floor"
REMINDERS = "Reminders import no area and not the top floor"
AREAS = "Areas do not import the top floor"
REMINDERS_ONE_WAY = "Reminders modules import one way, from the registry up"
AREAS_SUPERVISION = "Areas do not import supervision"
SUPERVISION = "Supervision does not import the top floor"
CONTRACT_LINE = re.compile(r"^(?P<name>.+) (?P<state>KEPT|BROKEN)$", re.M)


def lint_imports(root: Path) -> tuple[int, dict[str, str], str]:
    """Run lint-imports on the project at `root`: its exit code, each contract's state, its report."""
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},  # one contract to a line
    )
    states = {m["name"]: m["state"] for m in CONTRACT_LINE.finditer(result.stdout)}
    return result.returncode, states, result.stdout


def test_lint_imports_project_keeps_every_contract():
    code, states, report = lint_imports(BASE_DIR)

    assert (code, states) == (
        0,
        {
            GROUND_FLOOR: "KEPT",
            REMINDERS: "KEPT",
            AREAS: "KEPT",
            AREAS_SUPERVISION: "KEPT",
            SUPERVISION: "KEPT",
            REMINDERS_ONE_WAY: "KEPT",
        },
    ), report


@pytest.mark.parametrize(
    ("module", "imported", "broken"),
    [
        ("apps/core/__init__.py", "apps.projects.models", GROUND_FLOOR),
        ("apps/org/__init__.py", "apps.overview", GROUND_FLOOR),
        ("apps/reminders/registry.py", "apps.goals.models", REMINDERS),
        ("apps/reminders/services.py", "apps.overview", REMINDERS),
        ("apps/safety/__init__.py", "apps.overview", AREAS),
        ("apps/projects/views.py", "apps.supervision.models", AREAS_SUPERVISION),
        ("apps/supervision/views.py", "apps.overview.my_work", SUPERVISION),
        ("apps/reminders/services.py", "apps.supervision", REMINDERS),
        ("apps/reminders/models.py", "apps.reminders.services", REMINDERS_ONE_WAY),
        ("apps/reminders/services.py", "apps.reminders.tasks", REMINDERS_ONE_WAY),
    ],
)
def test_lint_imports_forbidden_import_breaks_its_contract(tmp_path, module, imported, broken):
    shutil.copytree(
        BASE_DIR / "apps", tmp_path / "apps", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(BASE_DIR / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n\ndef _forbidden():\n    import {imported}\n")

    code, states, report = lint_imports(tmp_path)

    assert code == 1, report
    assert [name for name, state in states.items() if state == "BROKEN"] == [broken], report
