"""What a page parser returns: raw products as the site wrote them, and parse errors with their URL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class RawProduct:
    """One price as a site shows it, before mapping (strings kept as written, NFC-normalised)."""

    spider: str
    name_raw: str
    price_raw: str | int | float | None
    url: str
    outlet: str
    obs_date: dt.date | None
    obs_time: str = ""
    price_type: str = "retail"
    zone: int | None = None
    unit_hint: str = ""
    category: str = ""
    product_id: str = ""
    # Appended to the spider name in the observation's `source` (e.g. a derived zone-2 ceiling).
    source_note: str = ""
    # Set when the parser already knows the commodity (a derived row); skips name mapping.
    commodity: str | None = None
    pack: str = ""


@dataclass
class ParseError:
    """A page (or one entry of it) that could not be read, and why, in Vietnamese."""

    url: str
    reason: str


@dataclass
class ParseResult:
    """Everything a parser got out of one page or API response."""

    products: list[RawProduct] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    # Links the page points to that the spider should follow (listing pages).
    links: list[str] = field(default_factory=list)
    # What kind of page it was ("bulletin", "product_page", "api_search", ...).
    kind: str = ""
    notes: list[str] = field(default_factory=list)
    # Structured side data a parser found (e.g. the bulletin's world-price table).
    extra: dict[str, object] = field(default_factory=dict)

    def extend(self, other: ParseResult) -> None:
        """Add another result's products, errors, links and notes."""
        self.products.extend(other.products)
        self.errors.extend(other.errors)
        self.links.extend(other.links)
        self.notes.extend(other.notes)
