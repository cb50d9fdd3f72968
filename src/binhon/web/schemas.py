"""Pydantic models of the JSON API (requests and responses)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("chuỗi chứa ký tự NUL")
    return value


Text = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=4000), AfterValidator(_no_nul)]


def _aware(value: dt.datetime) -> dt.datetime:
    """Timestamps are UTC; SQLite hands them back without a zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


Timestamp = Annotated[dt.datetime, AfterValidator(_aware)]
# For query parameters (length limits go on Query(...)).
QText = Annotated[str, AfterValidator(_no_nul)]
BigInt = Annotated[int, Field(ge=-(2**62), le=2**62)]


# --- errors -----------------------------------------------------------------------------------------------


class Problem(BaseModel):
    """Why one item (1-based) or one field of the request is invalid."""

    item: int | None = Field(None, description="Số thứ tự của mục trong danh sách gửi lên (từ 1)")
    field: str | None = Field(None, description="Trường hoặc tham số có lỗi")
    reason: str = Field(description="Lý do, bằng tiếng Việt")


class ErrorOut(BaseModel):
    """An error: a message, and for invalid input the reasons item by item."""

    detail: str
    problems: list[Problem] = Field(default_factory=list)


# --- catalogues -------------------------------------------------------------------------------------------


class CommodityOut(BaseModel):
    """A monitored commodity."""

    code: str
    name: str
    unit: str
    group: str
    group_name: str | None = None
    stabilised: bool
    min_vnd: int | None = None
    max_vnd: int | None = None


class AreaOut(BaseModel):
    """An administrative unit (commune/ward since July 2025, or a former unit)."""

    code: str
    name: str
    level: str
    kind: str
    parent: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class OutletOut(BaseModel):
    """A place prices are observed at."""

    code: str
    name: str
    outlet_type: str
    area: str | None = None
    area_name: str | None = None
    zone: int | None = None
    enterprise: str | None = None


class MeOut(BaseModel):
    """The caller's account."""

    username: str
    full_name: str | None = None
    role: str
    outlets: list[str]


# --- observations -----------------------------------------------------------------------------------------


class ObservationIn(BaseModel):
    """One price, with the fields of the observations CSV (CONTRACT); strings or numbers."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "example": {
                "date": "2026-11-20",
                "commodity": "gao-te-thuong",
                "outlet": "CH-MINHCHAU",
                "price_vnd": "18.500",
            }
        },
    )

    date: Text | None = Field(None, description="YYYY-MM-DD hoặc dd/mm/yyyy")
    commodity: Text | None = None
    outlet: Text | None = None
    price_vnd: Text | BigInt | None = Field(None, description='23500, "23.500" hoặc "23.500 ₫"')
    price_type: Text | None = Field(None, description="retail (mặc định), wholesale, ceiling, committed")
    outlet_type: Text | None = None
    area: Text | None = None
    zone: Text | BigInt | None = None
    source: Text | None = None
    unit: Text | None = None
    time: Text | None = Field(None, description="HH:MM")
    estimate: Text | BigInt | bool | None = None
    outlet_name: Text | None = None
    name_raw: Text | None = None
    source_url: Text | None = None


class SubmitOut(BaseModel):
    """What a submission stored."""

    batch_id: int
    stored_ids: list[int] = Field(
        description="Số của các giá được lưu mới (kể cả giá thay thế) trong lần gửi này"
    )
    ids: list[int | None] = Field(
        description="Với từng mục gửi lên (theo thứ tự): số của giá hiện hành tương ứng (mới, thay, đã có)"
    )
    stored: int
    revised: int
    unchanged: int


class ObservationOut(BaseModel):
    """A stored price."""

    id: int
    date: dt.date
    time: str
    commodity: str
    commodity_name: str
    unit: str
    outlet: str
    outlet_name: str
    outlet_type: str
    area: str | None
    price_vnd: int
    price_type: str
    zone: int | None
    source: str
    is_current: bool
    superseded_by: int | None
    submitted_by: str
    submitted_at: Timestamp


class CorrectionIn(BaseModel):
    """A corrected price and why."""

    price_vnd: Text | BigInt
    reason: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_nul)]


# --- alerts -----------------------------------------------------------------------------------------------


class AlertOut(BaseModel):
    """An alert with the fields of the alerts CSV (CONTRACT), plus names."""

    id: int
    kind: str
    severity: str
    commodity: str
    outlet: str
    area: str
    first_date: dt.date
    last_date: dt.date
    observed_vnd: int | None
    expected_vnd: int | None
    score: float | None
    status: str
    explanation: str
    commodity_name: str | None = None
    outlet_name: str | None = None
    area_name: str | None = None


class ReviewOut(BaseModel):
    """One review step of an alert."""

    at: Timestamp
    actor: str
    from_status: str
    to_status: str
    note: str | None
    escalated_to: str | None


class AlertDetailOut(AlertOut):
    """An alert with its review history."""

    reviews: list[ReviewOut]


class ReviewIn(BaseModel):
    """A review step: acknowledge, escalate (note and target required), resolve, dismiss (reason required)."""

    action: Literal["acknowledge", "escalate", "resolve", "dismiss"]
    note: Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)] | None = None
    escalated_to: Annotated[str, Field(max_length=120), AfterValidator(_no_nul)] | None = Field(
        None, description="Nơi chuyển xử lý: QLTT (Quản lý thị trường), BCD389 (Ban Chỉ đạo 389 tỉnh), khac"
    )
