"""`binhon report …` and `binhon programme …` as users run them: files written, exit codes, Vietnamese."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

HEADER = "date,commodity,outlet,price_vnd,price_type,outlet_type,area,zone,source\n"
SRC = Path(__file__).resolve().parents[2] / "src"
TEMPLATES = SRC / "binhon" / "programme" / "templates"


def _pythonpath() -> str:
    """This tree's sources first, whatever copy of binhon the environment has installed."""
    return os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])


def binhon_process(*args: str, cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess (exit codes and messages exactly as users see them)."""
    env = {**os.environ, "BINHON_DATABASE_URL": db_url, "BINHON_ACTOR": "test", "PYTHONPATH": _pythonpath()}
    return subprocess.run(
        [sys.executable, "-m", "binhon", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def binhon(*args: str, cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    """The same command in-process (faster; the db_url fixture has set BINHON_DATABASE_URL)."""
    from binhon.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def test_programme_and_reports_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    prices = tmp_path / "gia.csv"
    prices.write_text(
        HEADER
        + "2025-12-01,gao-te-thuong,CHO-CL,15000,,market,Huyện Càng Long,,\n"
        + "2026-01-05,gao-te-thuong,CHO-CL,16000,,,,,\n"
        + "2026-01-06,gao-te-thuong,BO-CLX-MAU,17000,,enterprise,Phường Trà Vinh,,\n",
        encoding="utf-8",
    )
    assert binhon("import", "observations", str(prices), cwd=tmp_path, db_url=db_url).returncode == 0

    imported = binhon(
        "programme", "import", str(TEMPLATES / "programme-register.xlsx"), cwd=tmp_path, db_url=db_url
    )
    assert imported.returncode == 0, imported.stderr
    assert "cam kết: đọc 2 dòng; thêm mới 2" in imported.stdout
    again = binhon("programme", "import", str(TEMPLATES / "commitments.csv"), cwd=tmp_path, db_url=db_url)
    assert again.returncode == 0 and "thêm mới 0; cập nhật 0; đã có sẵn 2" in again.stdout

    bad = tmp_path / "commitments.csv"
    bad.write_text(
        "year,enterprise,commodity,period_start,period_end,committed_price_vnd\n2026,CLX,gao,01/01/2026,31/03/2026,1\n",
        encoding="utf-8",
    )
    rejected = binhon_process("programme", "import", str(bad), cwd=tmp_path, db_url=db_url)
    assert rejected.returncode == 1
    assert "dòng 2: mã hàng hóa 'gao' không có trong danh mục" in rejected.stderr
    assert "Traceback" not in rejected.stderr

    shown = binhon("programme", "show", "--year", "2026", cwd=tmp_path, db_url=db_url)
    assert shown.returncode == 0 and "Quyết định số 1234/QĐ-UBND ngày 01/07/2025" in shown.stdout

    # 17.000 at the sale point on 06/01/2026 is above the committed 16.000; ahead of Tết 17/02/2026 the rice
    # stock reported (150.000 of 200.000 kg) is short and no pork stock was reported: three alerts.
    checked = binhon("programme", "check", "--as-of", "2026-01-31", cwd=tmp_path, db_url=db_url)
    assert checked.returncode == 0 and "3 cảnh báo mới" in checked.stdout, checked.stderr
    rerun = binhon("programme", "check", "--as-of", "2026-01-31", cwd=tmp_path, db_url=db_url)
    assert "0 cảnh báo mới" in rerun.stdout and "3 không đổi" in rerun.stdout
    risk = binhon("programme", "risk", "--as-of", "2026-01-10", "--no-forecast", cwd=tmp_path, db_url=db_url)
    assert risk.returncode == 0 and "[đang vi phạm]" in risk.stdout

    monthly = tmp_path / "bang-gia-2026-01.xlsx"
    made = binhon(
        "report", "monthly", "--month", "2026-01", "--output", str(monthly), cwd=tmp_path, db_url=db_url
    )
    assert made.returncode == 0, made.stderr
    ws = load_workbook(io.BytesIO(monthly.read_bytes())).worksheets[0]
    assert ws["A4"].value == "BẢNG GIÁ THỊ TRƯỜNG THÁNG 01/2026"
    rice = next(r for r in ws.iter_rows(min_row=10, values_only=True) if r[1] == "gao-te-thuong")
    # December 15.000; January: 05/01 16.000, 06/01 median(16.000 none, 17.000) = 17.000 -> 16.500.
    assert rice[6:10] == (15000, 16500, 1500, 10)

    docx = tmp_path / "bao-cao-tet-2026.docx"
    made = binhon("report", "tet", "--year", "2026", "--output", str(docx), cwd=tmp_path, db_url=db_url)
    assert made.returncode == 0, made.stderr
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.read_bytes())).paragraphs)
    assert "Tết Nguyên đán Bính Ngọ năm 2026" in text
    bad_fmt = binhon(
        "report", "tet", "--year", "2026", "--output", str(tmp_path / "x.pdf"), cwd=tmp_path, db_url=db_url
    )
    assert bad_fmt.returncode != 0 and "xlsx hoặc docx" in bad_fmt.stderr

    templates = tmp_path / "mau"
    written = binhon("programme", "template", "--output", str(templates), cwd=tmp_path, db_url=db_url)
    assert written.returncode == 0 and sorted(p.name for p in templates.iterdir())[0] == "commitments.csv"
