"""The breadth summary: how many items went up, down, or have no data, each list sorted by size.

Reproduces the department's pattern (DOMAIN §5.3, F14), e.g. "có 09 sản phẩm tăng (…), 03 sản
phẩm giảm (…) và 01 sản phẩm hết thời vụ", for prices: "09 mặt hàng tăng giá (thịt lợn nạc tăng
12,5%; …), 03 mặt hàng giảm giá (…) và 01 mặt hàng không có số liệu (…)". Increases are listed
from the largest, decreases from the largest fall; items whose change rounds to zero at the shown
precision are "không đổi" and kept apart from missing data, never counted as a rise or a fall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from binhon.formatting import format_change, format_count2

__all__ = ["Breadth", "breadth", "breadth_sentence"]


@dataclass(frozen=True)
class Breadth:
    """Items by direction of change, each list sorted by size (largest first)."""

    up: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    down: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    unchanged: tuple[str, ...] = field(default_factory=tuple)
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        """How many items were classified."""
        return len(self.up) + len(self.down) + len(self.unchanged) + len(self.missing)


def breadth(items: list[tuple[str, float | None]], *, decimals: int = 1) -> Breadth:
    """Classify ``(name, relative change or None)`` pairs; a change rounding to 0 % is unchanged."""
    up, down, same, missing = [], [], [], []
    for name, change in items:
        if change is None:
            missing.append(name)
            continue
        text = format_change(change, decimals)
        if text == "không đổi":
            same.append(name)
        elif change > 0:
            up.append((name, change))
        else:
            down.append((name, change))
    up.sort(key=lambda x: -x[1])
    down.sort(key=lambda x: x[1])
    return Breadth(tuple(up), tuple(down), tuple(same), tuple(missing))


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " và " + parts[-1]


def breadth_sentence(b: Breadth, *, decimals: int = 1, noun: str = "mặt hàng", details: bool = True) -> str:
    """ "09 mặt hàng tăng giá (…), 03 mặt hàng giảm giá (…) và 01 mặt hàng không có số liệu (…)".

    The three counts are always written (zero-padded to two digits, as in the department's
    reports); "không đổi" items are added only when there are some. With ``details`` each list
    names its items in brackets, with the change in words for rises and falls.
    """

    def named(pairs: tuple[tuple[str, float], ...]) -> str:
        return "; ".join(f"{name} {format_change(ch, decimals)}" for name, ch in pairs)

    parts = []
    up = f"{format_count2(len(b.up))} {noun} tăng giá"
    if details and b.up:
        up += f" ({named(b.up)})"
    parts.append(up)
    down = f"{format_count2(len(b.down))} {noun} giảm giá"
    if details and b.down:
        down += f" ({named(b.down)})"
    parts.append(down)
    if b.unchanged:
        same = f"{format_count2(len(b.unchanged))} {noun} giá không đổi"
        if details:
            same += f" ({'; '.join(b.unchanged)})"
        parts.append(same)
    missing = f"{format_count2(len(b.missing))} {noun} không có số liệu"
    if details and b.missing:
        missing += f" ({'; '.join(b.missing)})"
    parts.append(missing)
    return _join(parts)
