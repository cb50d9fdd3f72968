"""The planning notebook: paired with its jupytext script, and executed (nbmake) on a small demo database."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAME = "01-tet-2027-planning-review"


def test_notebook_is_paired_and_thin() -> None:
    jupytext = pytest.importorskip("jupytext")
    ipynb = jupytext.read(NOTEBOOKS / f"{NAME}.ipynb")
    script = jupytext.read(NOTEBOOKS / f"{NAME}.py")
    assert [c.source for c in ipynb.cells] == [c.source for c in script.cells]
    code = "\n".join(c.source for c in script.cells if c.cell_type == "code")
    imports = [line.split()[1] for line in code.splitlines() if line.startswith(("import ", "from "))]
    assert {m.split(".")[0] for m in imports} <= {"binhon", "datetime", "pandas"}
    assert all(not c.get("outputs") for c in ipynb.cells if c.cell_type == "code")  # stored without outputs


@pytest.mark.slow
def test_notebook_runs_on_a_small_demo_database(engine: Engine, db_url: str, tmp_path: Path) -> None:
    pytest.importorskip("nbmake")
    pytest.importorskip("ipykernel")
    from binhon.demo import build_demo

    # Two Tết seasons (Ất Tỵ 2025, Bính Ngọ 2026) before the planning date of Tết Đinh Mùi 2027.
    build_demo(engine, start=dt.date(2024, 12, 1), end=dt.date(2026, 11, 15))
    engine.dispose()
    shutil.copy(NOTEBOOKS / f"{NAME}.ipynb", tmp_path / f"{NAME}.ipynb")
    # This tree's sources first (for the kernel too), whatever copy of binhon is installed.
    pythonpath = os.pathsep.join(
        [str(NOTEBOOKS.parent / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env = {**os.environ, "BINHON_DATABASE_URL": db_url, "MPLBACKEND": "Agg", "PYTHONPATH": pythonpath}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbmake",
            "--nbmake-timeout=1200",
            f"--rootdir={tmp_path}",
            str(tmp_path / f"{NAME}.ipynb"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
