# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chuẩn bị Tết Đinh Mùi 2027: rà soát thị trường và chương trình bình ổn
#
# Sổ tay này chỉ gọi các hàm của `binhon` (mọi tính toán nằm trong gói):
#
# 1. giá các mặt hàng thiết yếu của mùa Tết sắp tới đặt cạnh hai mùa Tết trước, theo **cùng số ngày
#    so với mùng 1 Tết**, cùng dự báo (có khoảng dự báo) và sai số kiểm định trên các Tết trước;
# 2. các **cam kết bình ổn có nguy cơ** (đang vi phạm, giá sát mức cam kết, giá thị trường dự báo
#    vượt giá cam kết, dự trữ chưa đủ).
#
# Chạy trên CSDL mẫu (`binhon demo`) hoặc bất kỳ CSDL nào: đặt `BINHON_DATABASE_URL` hoặc
# `DATABASE_URL` bên dưới. Trên CSDL mẫu chưa có sổ bình ổn, sổ MẪU được dựng tự động.

# %% tags=["parameters"]
YEAR = 2027  # năm dương lịch của Tết cần chuẩn bị (2027: Tết Đinh Mùi, 06/02/2027)
DATABASE_URL = None  # None: dùng BINHON_DATABASE_URL
AS_OF = None  # None: ngày có giá mới nhất
CHARTS = ["thit-lon-nac", "thit-lon-ba-roi", "ga-ta", "gao-te-thuong"]  # mặt hàng vẽ biểu đồ

# %%
# ruff: noqa: E402, T201 (a notebook imports after its parameters and prints its findings)
import datetime as dt

import pandas as pd

from binhon.db.engine import get_engine, session_scope
from binhon.formatting import format_date, parse_date_vn
from binhon.programme.alerts import run_commitment_checks
from binhon.programme.demo import ensure_demo_programme
from binhon.reports.tables import commitments_table, forecast_table, phase_table
from binhon.reports.tet import alerts_sentences, assessment, programme_sentences, tet_report_data
from binhon.review.plots import season_chart
from binhon.sync import ensure_ready
from binhon.tet import PHASE_LABELS, lunar_year_name, tet_date

pd.set_option("display.max_colwidth", 120)
engine = get_engine(DATABASE_URL)
ensure_ready(engine, actor="notebook")
as_of = parse_date_vn(AS_OF) if isinstance(AS_OF, str) else AS_OF
print(f"Tết {lunar_year_name(YEAR)}: mùng 1 là {format_date(tet_date(YEAR))}")

# %%
with session_scope(engine) as session:
    made = ensure_demo_programme(session, year=YEAR, actor="notebook")
    if made is not None:
        print(f"CSDL mẫu: đã dựng sổ bình ổn MẪU năm {YEAR} ({made.commitments} cam kết).")
        run_commitment_checks(session, as_of=as_of or dt.date.today(), actor="notebook")
with session_scope(engine) as session:
    report = tet_report_data(session, YEAR, as_of=as_of)
print(f"Số liệu giá đến ngày {format_date(report.data_until) if report.data_until else '—'}")

# %% [markdown]
# ## Hai mùa Tết trước, theo giai đoạn

# %%
with session_scope(engine) as session:
    last = tet_report_data(session, YEAR - 1, as_of=as_of)
for phase in ("before", "during", "after"):
    label = f"Tết {last.lunar_name} {last.year}, {PHASE_LABELS[phase]}"
    print(f"{label}, so với Tết năm trước: {last.breadth_text(phase)}")
phase_table(last)

# %% [markdown]
# ## Mùa Tết sắp tới so với hai mùa trước (cùng số ngày so với Tết), với dự báo

# %%
for code in CHARTS:
    try:
        review = report.review(code)
    except StopIteration:
        continue
    if review.curves.dropna(how="all").empty:
        continue
    season_chart(review, report)

# %%
forecast_table(report)

# %% [markdown]
# ## Cam kết bình ổn có nguy cơ

# %%
print("\n".join(programme_sentences(report)))
commitments_table(report.at_risk)

# %% [markdown]
# ## Cảnh báo giá mùa Tết trước và đánh giá

# %%
print("\n".join(alerts_sentences(last)))
print(assessment(report))
