"""The `binhon` command as users run it: exit codes, Vietnamese messages, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "date,commodity,outlet,price_vnd,price_type,outlet_type,area,zone,source\n"


def binhon(*args: str, cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BINHON_DATABASE_URL": db_url, "BINHON_ACTOR": "test"}
    return subprocess.run(
        [sys.executable, "-m", "binhon", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_import_export_cycle(db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        HEADER + "2026-01-05,gao-te-thuong,CHO-CL,15.000,,market,Huyện Càng Long,,\n"
        "05/01/2026,trung-ga,CHO-CL,32000,,,,,\n",
        encoding="utf-8",
    )
    first = binhon("import", "observations", str(src), cwd=tmp_path, db_url=db_url)
    assert first.returncode == 0, first.stderr
    assert "lưu mới 2" in first.stdout
    again = binhon("import", "observations", str(src), cwd=tmp_path, db_url=db_url)
    assert again.returncode == 0 and "lưu mới 0" in again.stdout and "đã có sẵn 2" in again.stdout
    out = tmp_path / "out.csv"
    exported = binhon("export", "observations", "--output", str(out), cwd=tmp_path, db_url=db_url)
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER.strip()


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (HEADER + "2026-02-30,gao-te-thuong,X,abc,,market,Huyện Càng Long,,\n", "dòng 2:"),
        ("a,b,c\n1,2,3\n", "thiếu cột bắt buộc"),
        ("", "trống"),
    ],
)
def test_bad_input_exits_nonzero_without_traceback(
    db_url: str, tmp_path: Path, content: str, expect: str
) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(content, encoding="utf-8")
    result = binhon("import", "observations", str(src), cwd=tmp_path, db_url=db_url)
    assert result.returncode != 0
    assert expect in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_binary_and_missing_files(db_url: str, tmp_path: Path) -> None:
    blob = tmp_path / "photo.csv"
    blob.write_bytes(bytes(range(256)) * 10)
    result = binhon("import", "observations", str(blob), cwd=tmp_path, db_url=db_url)
    assert result.returncode != 0 and "Traceback" not in result.stderr and "CSV" in result.stderr
    missing = binhon("import", "observations", str(tmp_path / "nope.csv"), cwd=tmp_path, db_url=db_url)
    assert missing.returncode != 0 and "không tìm thấy" in missing.stderr


def test_skip_invalid_names_the_rejects_file(db_url: str, tmp_path: Path) -> None:
    src = tmp_path / "mixed.csv"
    src.write_text(
        HEADER
        + "2026-01-05,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"
        + "2026-01-06,gao-te-thuong,CHO-CL,x,,,,,\n",
        encoding="utf-8",
    )
    result = binhon("import", "observations", str(src), "--skip-invalid", cwd=tmp_path, db_url=db_url)
    assert result.returncode == 0, result.stderr
    rejects = tmp_path / "mixed.csv.rejected.csv"
    assert str(rejects) in result.stderr
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("line,reason,date") and lines[1].startswith("3,")


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = binhon(
        "db", "upgrade", cwd=tmp_path, db_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    assert result.returncode != 0
    assert "Lỗi CSDL" in result.stderr and "Traceback" not in result.stderr


def test_tet_command(tmp_path: Path) -> None:
    result = binhon("tet", "2030", cwd=tmp_path, db_url=f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 0
    assert "02/02/2030" in result.stdout and "Canh Tuất" in result.stdout
