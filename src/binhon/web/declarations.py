"""The retailer's price declaration (kê khai giá, Decree 85/2024 in spirit) and the officers' market
survey: parsing the form, validating it with the ingest path's own rules, the preview against the
last prices, and storing it through the ingest path."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from binhon.catalog import IngestRules
from binhon.db.models import Attachment, Commodity, Outlet
from binhon.formatting import VN_TZ, parse_date_vn, parse_vnd
from binhon.ingest.pipeline import records_as_rows, stored_price_rows
from binhon.ingest.reference import Reference
from binhon.ingest.validate_rows import validate_rows
from binhon.web import queries

FUEL_GROUPS = ("xang-dau",)
# Groups not sold at markets: left out of the market survey grid.
NON_MARKET_GROUPS = ("xang-dau", "khi-dot", "vat-tu-nong-nghiep", "vat-lieu-xay-dung")
DECLARE_PRICE_TYPES = ("retail", "wholesale", "committed")
MAX_REASON = 2000


def today_vn() -> dt.date:
    """Today's date in Việt Nam."""
    return dt.datetime.now(VN_TZ).date()


@dataclass
class Line:
    """One commodity row of the form."""

    commodity: Commodity
    text: str = ""
    price: int | None = None
    error: str | None = None
    last: tuple[dt.date, int] | None = None
    warn: bool = False

    @property
    def change_vnd(self) -> int | None:
        """The change against the last price, in đồng."""
        if self.price is None or self.last is None:
            return None
        return self.price - self.last[1]

    @property
    def change_rel(self) -> float | None:
        """The relative change against the last price."""
        if self.price is None or self.last is None or not self.last[1]:
            return None
        return (self.price - self.last[1]) / self.last[1]

    @property
    def field(self) -> str:
        """The form field of this row's price."""
        return f"price__{self.commodity.code}"


@dataclass
class Declaration:
    """A parsed declaration form, with per-field errors (Vietnamese)."""

    outlet_code: str = ""
    outlet: Outlet | None = None
    date_text: str = ""
    obs_date: dt.date | None = None
    price_type: str = "retail"
    reason: str = ""
    lines: list[Line] = field(default_factory=list)
    photo_ref: str = ""
    photo_name: str = ""
    confirm_jumps: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def entered(self) -> list[Line]:
        """Rows with a price."""
        return [ln for ln in self.lines if ln.price is not None]

    @property
    def warnings(self) -> list[Line]:
        """Rows whose change is unusually large."""
        return [ln for ln in self.entered if ln.warn]

    @property
    def changed(self) -> list[Line]:
        """Rows whose price differs from the last one."""
        return [ln for ln in self.entered if ln.change_vnd]

    @property
    def ok(self) -> bool:
        """No error anywhere."""
        return not self.errors and not any(ln.error for ln in self.lines)

    def records(self) -> list[dict[str, Any]]:
        """The rows for the ingest path."""
        assert self.obs_date is not None
        return [
            {
                "date": self.obs_date.isoformat(),
                "commodity": ln.commodity.code,
                "outlet": self.outlet_code,
                "price_vnd": ln.price,
                "price_type": self.price_type,
            }
            for ln in self.entered
        ]

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The form's values as hidden fields (for the preview's confirm and edit buttons)."""
        out = [
            ("outlet", self.outlet_code),
            ("date", self.date_text),
            ("price_type", self.price_type),
            ("reason", self.reason),
            ("photo_ref", self.photo_ref),
            ("photo_name", self.photo_name),
        ]
        out += [(ln.field, ln.text) for ln in self.lines if ln.text]
        return out


def form_commodities(*, session: Session, outlet: Outlet | None) -> list[Commodity]:
    """The items offered on the form: fuels for a petrol station, the rest otherwise."""
    items = queries.commodities(session=session)
    if outlet is not None and outlet.outlet_type == "petrol":
        return [c for c in items if c.group in FUEL_GROUPS]
    return [c for c in items if c.group not in FUEL_GROUPS]


def parse_declaration(
    *,
    session: Session,
    form: Any,
    outlets: list[Outlet],
    rules: IngestRules,
    jump_warn: float,
    today: dt.date | None = None,
) -> Declaration:
    """Read and check a declaration form against the user's outlets and the ingest rules."""
    today = today or today_vn()
    d = Declaration()
    d.outlet_code = str(form.get("outlet") or "").strip()
    mine = {o.code: o for o in outlets}
    d.outlet = mine.get(d.outlet_code)
    if not d.outlet_code:
        d.errors["outlet"] = "Hãy chọn điểm bán"
    d.date_text = str(form.get("date") or "").strip()
    try:
        d.obs_date = parse_date_vn(d.date_text)
        if d.obs_date > today:
            d.errors["date"] = "Ngày áp dụng không được ở tương lai"
        elif d.obs_date < today - dt.timedelta(days=366):
            d.errors["date"] = "Ngày áp dụng quá xa (quá một năm trước)"
    except ValueError:
        d.errors["date"] = "Ngày không hợp lệ (ví dụ: 20/11/2026)" if d.date_text else "Hãy nhập ngày áp dụng"
    d.price_type = str(form.get("price_type") or "retail").strip()
    if d.price_type not in DECLARE_PRICE_TYPES:
        d.errors["price_type"] = "Loại giá không hợp lệ"
        d.price_type = "retail"
    d.reason = str(form.get("reason") or "").strip()[:MAX_REASON]
    d.photo_ref = str(form.get("photo_ref") or "").strip()[:200]
    d.photo_name = str(form.get("photo_name") or "").strip()[:120]
    d.confirm_jumps = str(form.get("confirm_jumps") or "") == "1"
    d.lines = [Line(c) for c in form_commodities(session=session, outlet=d.outlet)]
    for ln in d.lines:
        ln.text = str(form.get(ln.field) or "").strip()[:40]
        if not ln.text:
            continue
        try:
            ln.price = parse_vnd(ln.text)
            if ln.price <= 0:
                ln.error, ln.price = "Giá phải lớn hơn 0", None
        except ValueError as exc:
            ln.error = _sentence(str(exc))
    if not d.entered and not any(ln.error for ln in d.lines):
        d.errors["prices"] = "Hãy nhập giá của ít nhất một mặt hàng"
    if d.outlet is not None and d.obs_date is not None and d.entered:
        last = queries.last_prices(
            session=session,
            outlet_id=d.outlet.id,
            commodity_ids=[ln.commodity.id for ln in d.entered],
            on=d.obs_date,
            price_type=d.price_type,
        )
        for ln in d.entered:
            ln.last = last.get(ln.commodity.id)
            rel = ln.change_rel
            ln.warn = rel is not None and abs(rel) * 100 >= jump_warn
        _validate_like_ingest(session, d, rules, today)
    if d.changed and not d.reason:
        d.errors["reason"] = "Giá thay đổi so với lần khai trước: hãy ghi lý do thay đổi"
    return d


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _check_like_ingest(
    session: Session,
    records: list[dict[str, Any]],
    rules: IngestRules,
    today: dt.date,
    *,
    source_default: str,
) -> list[Any]:
    """The problems the ingest path would find in records (read only: no outlet is registered)."""
    rows = records_as_rows(records)
    plaus = rules.plausibility
    checked = validate_rows(
        rows,
        list(range(1, len(rows) + 1)),
        ref=Reference.load(
            session,
            commodity_codes={r["commodity"].strip() for r in rows},
            outlet_codes={r["outlet"].strip() for r in rows},
        ),
        today=today,
        register_outlet=None,
        history=lambda ids, start, end: stored_price_rows(session, ids, start, end),
        digit_ratio=plaus.digit_error_ratio,
        history_days=plaus.history_days,
        min_history=plaus.min_history,
        source_default=source_default,
    )
    return checked.problems


def _validate_like_ingest(session: Session, d: Declaration, rules: IngestRules, today: dt.date) -> None:
    """Run the ingest path's validation (read only) and put each reason beside its row."""
    entered = d.entered
    for problem in _check_like_ingest(session, d.records(), rules, today, source_default="web"):
        index = int(problem.line) - 1
        if 0 <= index < len(entered):
            entered[index].error = _sentence(problem.reason)


def attach_photo(
    *, session: Session, batch_id: int, sha256: str, content_type: str, size: int, filename: str, actor: str
) -> Attachment:
    """Record a stored photo as an attachment of a batch."""
    row = Attachment(
        batch_id=batch_id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    session.add(row)
    session.flush()
    return row


# --- market survey ----------------------------------------------------------------------------------------


@dataclass
class SurveyLine:
    """One commodity row of the survey grid: several quotes and their median."""

    commodity: Commodity
    texts: list[str]
    quotes: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> int | None:
        """The median quote, rounded half up to whole đồng."""
        if not self.quotes:
            return None
        m = Decimal(str(statistics.median(self.quotes)))
        return int(m.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Survey:
    """A parsed market survey form."""

    outlet_code: str = ""
    outlet: Outlet | None = None
    date_text: str = ""
    obs_date: dt.date | None = None
    note: str = ""
    lines: list[SurveyLine] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def entered(self) -> list[SurveyLine]:
        """Rows with at least one quote."""
        return [ln for ln in self.lines if ln.quotes]

    @property
    def ok(self) -> bool:
        """No error anywhere."""
        return not self.errors and not any(ln.error for ln in self.lines)

    def records(self) -> list[dict[str, Any]]:
        """One row per commodity: the median of its quotes."""
        assert self.obs_date is not None
        return [
            {
                "date": self.obs_date.isoformat(),
                "commodity": ln.commodity.code,
                "outlet": self.outlet_code,
                "price_vnd": ln.median,
                "price_type": "retail",
                "source": "khảo sát chợ",
            }
            for ln in self.entered
        ]


def survey_commodities(*, session: Session) -> list[Commodity]:
    """The items of the market survey grid (foods and everyday goods sold at markets)."""
    return [c for c in queries.commodities(session=session) if c.group not in NON_MARKET_GROUPS]


def parse_survey(
    *,
    session: Session,
    form: Any,
    markets: list[Outlet],
    quotes: int,
    rules: IngestRules,
    today: dt.date | None = None,
) -> Survey:
    """Read and check a survey form (several quotes per item for one market on one day)."""
    today = today or today_vn()
    s = Survey()
    s.outlet_code = str(form.get("outlet") or "").strip()
    s.outlet = {o.code: o for o in markets}.get(s.outlet_code)
    if s.outlet is None:
        s.errors["outlet"] = "Hãy chọn chợ / điểm khảo sát"
    s.date_text = str(form.get("date") or "").strip()
    try:
        s.obs_date = parse_date_vn(s.date_text)
        if s.obs_date > today:
            s.errors["date"] = "Ngày khảo sát không được ở tương lai"
    except ValueError:
        s.errors["date"] = (
            "Ngày không hợp lệ (ví dụ: 20/11/2026)" if s.date_text else "Hãy nhập ngày khảo sát"
        )
    s.note = str(form.get("note") or "").strip()[:MAX_REASON]
    for c in survey_commodities(session=session):
        texts = [str(form.get(f"q__{c.code}__{i}") or "").strip()[:40] for i in range(quotes)]
        line = SurveyLine(c, texts)
        bad = []
        for t in texts:
            if not t:
                continue
            try:
                v = parse_vnd(t)
                if v <= 0:
                    raise ValueError("giá phải lớn hơn 0")
                line.quotes.append(v)
            except ValueError as exc:
                bad.append(str(exc))
        if bad:
            line.error = _sentence("; ".join(bad))
        elif len(line.quotes) >= 2 and max(line.quotes) > 3 * min(line.quotes):
            line.error = "Các mức giá chênh nhau quá nhiều (hơn 3 lần): kiểm tra lại"
        s.lines.append(line)
    if not s.entered and not any(ln.error for ln in s.lines):
        s.errors["prices"] = "Hãy nhập giá của ít nhất một mặt hàng"
    if s.outlet is not None and s.obs_date is not None and s.entered and s.ok:
        entered = s.entered
        for problem in _check_like_ingest(session, s.records(), rules, today, source_default="khảo sát chợ"):
            index = int(problem.line) - 1
            if 0 <= index < len(entered):
                entered[index].error = _sentence(problem.reason)
    return s
