"""Pure page parsers, one module per site: body as the site served it → products and parse errors.

Every parser has the signature ``parse(body: bytes, ctx: ParseContext) -> ParseResult`` and never
touches the network or the database; the Scrapy spiders and ``binhon scrape replay`` both call them.
"""

from __future__ import annotations

from collections.abc import Callable

from binhon.scraping.parsers import bachhoaxanh, coop_online, moit, petrolimex, pvoil, winmart
from binhon.scraping.parsers.common import ParseContext
from binhon.scraping.types import ParseResult

Parser = Callable[[bytes, ParseContext], ParseResult]

PARSERS: dict[str, Parser] = {
    "moit_fuel_bulletin": moit.parse,
    "petrolimex": petrolimex.parse,
    "pvoil": pvoil.parse,
    "bachhoaxanh": bachhoaxanh.parse,
    "winmart": winmart.parse,
    "coop_online": coop_online.parse,
}

# Which mapping rules apply to a spider's products.
SCOPES: dict[str, str] = {
    "moit_fuel_bulletin": "fuel",
    "petrolimex": "fuel",
    "pvoil": "fuel",
    "bachhoaxanh": "grocery",
    "winmart": "grocery",
    "coop_online": "grocery",
}

__all__ = ["PARSERS", "SCOPES", "ParseContext", "Parser"]
