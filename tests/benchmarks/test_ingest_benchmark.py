"""The ingest benchmark runs end to end on a small file and reports what the issue asks for.

Only that it works and that its bookkeeping holds (every row stored by each measured insert, the
ratio printed against the goal) is tested here; speed is never asserted in a test.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import ingest as bench
from tests.conftest import PG_URL


@pytest.mark.parametrize("backend", ["sqlite"] + (["postgresql"] if PG_URL else []))
def test_ingest_benchmark_reports_ratio_and_memory(
    backend: str, tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--rows", "3000", "--backend", backend, "--workdir", str(tmp_path)]
    if backend == "postgresql":
        args += ["--pg-url", PG_URL or ""]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    assert "generated observations.csv: 3,000 rows" in out
    ratio = re.search(r"ratio binhon/limit: ([\d.]+)%", out)
    assert ratio and float(ratio.group(1)) > 0
    assert re.search(r"peak memory < 1 GiB: (met|NOT met)", out)
    assert "bare   " in out  # the plain-table reference is printed beside the goal's limit
