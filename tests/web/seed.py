"""Test data for the web tests: outlets, ~two months of prices, accounts, tokens and alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from binhon.accounts import create_token, create_user
from binhon.db.engine import session_scope
from binhon.db.models import Alert, Area, Commodity, Outlet
from binhon.formatting import VN_TZ
from binhon.ingest import ingest_records

AREA = "Phường Trà Vinh"
OUTLETS = (
    ("CH-A", "convenience", "Cửa hàng A"),
    ("CH-B", "convenience", "Cửa hàng B"),
    ("CHO-X", "market", "Chợ X"),
    ("XD-1", "petrol", "Cây xăng 1"),
)
BASE = {"gao-te-thuong": 18_000, "thit-lon-nac": 120_000, "trung-ga": 32_000}


@dataclass
class Seed:
    """What the seed created."""

    today: dt.date
    retailer_a: tuple[str, str] = ("ret.a", "matkhau-cua-a-1")
    retailer_b: tuple[str, str] = ("ret.b", "matkhau-cua-b-2")
    officer: tuple[str, str] = ("canbo.gia", "matkhau-canbo-3")
    admin: tuple[str, str] = ("quantri", "matkhau-quantri-4")
    tokens: dict[str, str] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)


def today_vn() -> dt.date:
    return dt.datetime.now(VN_TZ).date()


def seed_data(engine: Engine) -> Seed:
    """Fill the test database (committed)."""
    today = today_vn()
    seed = Seed(today=today)
    records: list[dict[str, object]] = []
    for days in range(60, 0, -1):
        day = (today - dt.timedelta(days=days)).isoformat()
        wiggle = (days % 5) * 100
        for code, otype, name in OUTLETS[:3]:
            for com, base in BASE.items():
                bump = 500 if code == "CH-B" else 0
                records.append(
                    {
                        "date": day,
                        "commodity": com,
                        "outlet": code,
                        "price_vnd": base + wiggle + bump,
                        "outlet_type": otype,
                        "area": AREA,
                        "outlet_name": name,
                    }
                )
        if days % 7 == 0:
            records.append(
                {
                    "date": day,
                    "commodity": "xang-e5-ron92",
                    "outlet": "XD-1",
                    "price_vnd": 20_800,
                    "outlet_type": "petrol",
                    "area": AREA,
                    "outlet_name": "Cây xăng 1",
                    "zone": "1",
                }
            )
            records.append(
                {
                    "date": day,
                    "commodity": "xang-e5-ron92",
                    "outlet": "BCT-V1",
                    "price_vnd": 21_000,
                    "price_type": "ceiling",
                    "outlet_type": "official",
                    "zone": "1",
                    "outlet_name": "Bộ Công Thương (vùng 1)",
                }
            )
    # Eggs at market X around Tết Bính Ngọ (17/02/2026): the usual pre-Tết rise.
    tet = dt.date(2026, 2, 17)
    for k in range(-28, 12):
        day = tet + dt.timedelta(days=k)
        if day >= today - dt.timedelta(days=60):
            continue
        rise = 6_000 if -7 <= k <= -2 else 0
        records.append(
            {
                "date": day.isoformat(),
                "commodity": "trung-ga",
                "outlet": "CHO-X",
                "price_vnd": 32_000 + rise,
                "outlet_type": "market",
                "area": AREA,
                "outlet_name": "Chợ X",
            }
        )
    with session_scope(engine) as s:
        ingest_records(s, records, actor="test-seed", channel="import", source_default="import")
        create_user(
            session=s,
            username=seed.retailer_a[0],
            password=seed.retailer_a[1],
            role="retailer",
            actor="test",
            outlets=["CH-A"],
            full_name="Cửa hàng A",
        )
        create_user(
            session=s,
            username=seed.retailer_b[0],
            password=seed.retailer_b[1],
            role="retailer",
            actor="test",
            outlets=["CH-B"],
            full_name="Cửa hàng B",
        )
        officer = create_user(
            session=s,
            username=seed.officer[0],
            password=seed.officer[1],
            role="officer",
            actor="test",
            full_name="Cán bộ giá",
        )
        admin = create_user(
            session=s, username=seed.admin[0], password=seed.admin[1], role="admin", actor="test"
        )
        from binhon.accounts import get_user

        for name in (seed.retailer_a[0], seed.retailer_b[0]):
            user = get_user(session=s, username=name)
            assert user is not None
            seed.tokens[name] = create_token(session=s, user=user, actor="test")
        seed.tokens["officer"] = create_token(session=s, user=officer, actor="test")
        seed.tokens["admin"] = create_token(session=s, user=admin, actor="test")
        com = {c.code: c.id for c in s.scalars(select(Commodity))}
        out = {o.code: o for o in s.scalars(select(Outlet))}
        area_id = out["CHO-X"].commune_id
        assert s.get(Area, area_id) is not None
        specs = [
            (
                "spike",
                "crisis",
                "thit-lon-nac",
                "CH-A",
                None,
                today - dt.timedelta(days=6),
                today - dt.timedelta(days=2),
                160_000,
                120_000,
                3.2,
                "new",
                "Giá thịt lợn nạc tại Cửa hàng A tăng 33,3% so với mức kỳ vọng.",
            ),
            (
                "ceiling_breach",
                "alert",
                "xang-e5-ron92",
                "XD-1",
                None,
                today - dt.timedelta(days=14),
                today - dt.timedelta(days=14),
                21_900,
                21_000,
                1.4,
                "acknowledged",
                "Giá bán lẻ cao hơn giá trần vùng 1.",
            ),
            (
                "outlet_outlier",
                "stress",
                "gao-te-thuong",
                "CH-B",
                None,
                today - dt.timedelta(days=20),
                today - dt.timedelta(days=19),
                19_500,
                18_200,
                0.6,
                "resolved",
                "Cửa hàng B cao hơn các điểm bán khác.",
            ),
            (
                "stale",
                "stress",
                "trung-ga",
                None,
                area_id,
                today - dt.timedelta(days=3),
                today - dt.timedelta(days=1),
                None,
                None,
                None,
                "new",
                "Chợ X ngừng báo giá trứng gà.",
            ),
            (
                "spike",
                "alert",
                "trung-ga",
                "CHO-X",
                None,
                dt.date(2026, 2, 10),
                dt.date(2026, 2, 12),
                38_000,
                32_000,
                1.5,
                "new",
                "Giá trứng gà trước Tết Bính Ngọ tăng 18,8%.",
            ),
        ]
        for i, (kind, sev, c, o, a, first, last, obs, exp, score, status, text) in enumerate(specs):
            alert = Alert(
                kind=kind,
                severity=sev,
                commodity_id=com[c],
                outlet_id=out[o].id if o else None,
                area_id=a,
                first_date=first,
                last_date=last,
                observed_vnd=obs,
                expected_vnd=exp,
                score=score,
                explanation=text,
                detector="test",
                dedupe_key=f"test-{i}",
                status=status,
            )
            s.add(alert)
            s.flush()
            seed.alerts[f"{kind}-{sev}"] = alert.id
    return seed
