"""Cached Tết ramp profiles, so that an incremental run need not reload and re-learn past seasons.

The ramp profile of a Tết season (:func:`binhon.detection.baseline.season_profile`) of a commodity
and price type is learned from the windows of the ``tet.past_seasons`` previous seasons (days to
Tết from ``tet.reference_window[0]`` to ``tet.profile_end``) at every outlet. A run judging days
near a Tết needs it, and without a cache it must load those past seasons (as many prices as the
recent window itself) and learn the profile again, every day. Yet the profile can only change when

* a price dated in one of its windows is stored — a correction or a back-filled price. Stored
  prices are never updated in place: a change always stores a new row, with a larger id
  (:mod:`binhon.ingest.store`), so "no row with an id above N dated in the windows" proves that the
  windows hold the same current prices as when the profile was learned from rows up to id N;
* the outlets of the grid, or their peer class, district or promotion flag, change;
* the detection configuration or the code that learns it change (the fingerprint);
* the dates of Tết change (the windows are recomputed and compared).

A :class:`~binhon.db.models.DetectionProfile` row keeps, per commodity and price type, the profiles
of the Tết seasons a coming run may need, with all of the above. A run uses a row only when every
check passes and the recent window has no outlet the row does not know; otherwise it loads those
past seasons for that grid, learns the profile as before and replaces the row. Each run re-checks
the rows against the prices stored since (cheap: by id) and moves ``data_max_id`` on, or deletes
them. The cached profile is exactly the one the run would learn (the same prices, the same
code), so alerts are the same with or without the cache, and stay causal and frozen: the windows
lie long before the days judged. (Like the runs' own watermark of new prices, the check by id
assumes ids become visible in order; the cache is derived data: deleting its rows is always safe.)
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from binhon.db.models import DetectionProfile, utcnow
from binhon.detection import analysis as analysis_module
from binhon.detection import baseline as baseline_module
from binhon.detection.analysis import CachedProfiles, column_info, profile_targets
from binhon.detection.baseline import SeasonProfile
from binhon.detection.config import DetectionConfig
from binhon.detection.panel import PRICE_TYPE_CODES, Catalog, date_of, day_of, rows_since
from binhon.tet import tet_date

log = logging.getLogger(__name__)

__all__ = ["CacheStats", "ProfileCache", "columns_key", "fingerprint", "needed_targets", "season_windows"]

FORMAT = 1
PTYPE_NAMES = {v: k for k, v in PRICE_TYPE_CODES.items()}
Key = tuple[int, int]


def _code_hash() -> str:
    h = hashlib.sha256(f"binhon-profiles-{FORMAT}".encode())
    for module in (baseline_module, analysis_module):
        try:
            h.update(Path(str(module.__file__)).read_bytes())
        except OSError:  # pragma: no cover - no source file: never reuse across processes
            h.update(repr(id(module)).encode())
    return h.hexdigest()


# The code that learns profiles, hashed once, when it is imported (any change to it, even a
# comment, makes the cached profiles unusable: they are learned again, never reused wrongly).
CODE_HASH = _code_hash()


def fingerprint(config: DetectionConfig) -> str:
    """The configuration (all but ``run``) and the code that learn profiles, as a hash."""
    h = hashlib.sha256(CODE_HASH.encode())
    h.update(json.dumps(config.model_dump(exclude={"run"}), sort_keys=True, default=str).encode())
    return h.hexdigest()


def season_windows(tet_day: int, config: DetectionConfig) -> list[tuple[int, int]]:
    """The past-season windows (day numbers, inclusive) the profile of the Tết on ``tet_day`` learns from."""
    t = config.tet
    year = date_of(tet_day).year
    out = []
    for i in range(1, t.past_seasons + 1):
        try:
            ty = day_of(tet_date(year - i))
        except ValueError:
            continue
        out.append((ty + t.reference_window[0], ty + t.profile_end))
    return out


def needed_targets(first_day: int, last_day: int, config: DetectionConfig) -> list[int]:
    """Day numbers of the Tết seasons whose profile judging days ``first_day .. last_day`` needs."""
    if last_day < first_day:
        return []
    return [int(T) for T in profile_targets(np.arange(first_day, last_day + 1), config)]


def columns_key(outlet_ids: np.ndarray, catalog: Catalog, config: DetectionConfig) -> str:
    """The grid's columns: outlet ids with their district, peer class and promotion flag, as a hash."""
    district, classes, promo = column_info(outlet_ids, catalog, config)
    h = hashlib.sha256()
    h.update(np.asarray(outlet_ids, dtype=np.int64).tobytes())
    h.update(np.asarray(district, dtype=np.int64).tobytes())
    h.update("\x1f".join(str(c) for c in classes).encode())
    h.update(np.asarray(promo, dtype=bool).tobytes())
    return h.hexdigest()


def _encode(cached: CachedProfiles) -> tuple[bytes, dict[str, Any]] | None:
    """The profiles as .npz bytes and the JSON description of each Tết's profile (None: not storable)."""
    arrays: dict[str, np.ndarray] = {"outlet_ids": np.asarray(cached.outlet_ids)}
    meta: dict[str, Any] = {}
    for i, (T, prof) in enumerate(sorted(cached.profiles.items())):
        scalars: dict[str, Any] = {}
        names: list[str] = []
        for f in dataclasses.fields(prof):
            value = getattr(prof, f.name)
            if isinstance(value, np.ndarray):
                if value.dtype == object:
                    return None
                arrays[f"{i}.{f.name}"] = value
                names.append(f.name)
            elif isinstance(value, bool | int | float | str) or value is None:
                scalars[f.name] = value.item() if isinstance(value, np.generic) else value
            elif isinstance(value, np.generic):
                scalars[f.name] = value.item()
            else:
                return None
        meta[str(int(T))] = {"index": i, "arrays": names, "scalars": scalars}
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue(), meta


def _decode(payload: bytes, meta: dict[str, Any]) -> CachedProfiles:
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        outlet_ids = npz["outlet_ids"]
        profiles = {}
        for T, m in meta.items():
            values: dict[str, Any] = dict(m["scalars"])
            for name in m["arrays"]:
                values[name] = npz[f"{m['index']}.{name}"]
            profiles[int(T)] = SeasonProfile(**values)
    return CachedProfiles(outlet_ids, profiles)


@dataclass
class CacheStats:
    """What the cache did in a run (recorded in the run's details)."""

    used: int = 0
    learned: int = 0
    stored: int = 0
    invalidated: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def miss(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "used": self.used,
            "learned": self.learned,
            "stored": self.stored,
            "invalidated": self.invalidated,
            "misses": dict(sorted(self.reasons.items())),
        }


@dataclass
class _Entry:
    id: int
    key: Key
    fingerprint: str
    columns_key: str
    data_max_id: int
    targets: dict[str, Any]
    valid: bool = True

    def windows(self, T: int) -> list[list[int]]:
        return [list(w) for w in self.targets.get(str(T), {}).get("windows", [])]


class ProfileCache:
    """The cached profiles of the database, checked for one run (inside the caller's transaction)."""

    def __init__(self, session: Session, config: DetectionConfig, catalog: Catalog) -> None:
        self.session = session
        self.config = config
        self.catalog = catalog
        self.fingerprint = fingerprint(config)
        self.stats = CacheStats()
        self.entries: dict[Key, _Entry] = {}
        self._checked = False

    def load(self) -> None:
        """Read the rows' descriptions (not their profiles)."""
        rows = self.session.execute(
            select(
                DetectionProfile.id,
                DetectionProfile.commodity_id,
                DetectionProfile.price_type,
                DetectionProfile.fingerprint,
                DetectionProfile.columns_key,
                DetectionProfile.data_max_id,
                DetectionProfile.targets,
            )
        ).all()
        for r in rows:
            key = (int(r.commodity_id), PRICE_TYPE_CODES.get(str(r.price_type), -1))
            self.entries[key] = _Entry(
                int(r.id),
                key,
                str(r.fingerprint),
                str(r.columns_key),
                int(r.data_max_id),
                dict(r.targets or {}),
            )

    def check(self, max_id: int) -> None:
        """Invalidate rows whose past seasons received prices since they were learned (or were
        learned with another configuration or code, or other Tết dates); move the others'
        ``data_max_id`` to ``max_id``."""
        self._checked = True
        if not self.entries:
            return
        for e in self.entries.values():
            if e.fingerprint != self.fingerprint:
                e.valid = False
                continue
            for T in e.targets:
                if e.windows(int(T)) != [list(w) for w in season_windows(int(T), self.config)]:
                    e.valid = False
        valid = [e.data_max_id for e in self.entries.values() if e.valid]
        since = min(valid) if valid else max_id
        if since < max_id:
            # Every row stored after the oldest check (superseded or not; selected by id, so it is
            # cheap): (commodity, price type, date) → its largest id.
            new = rows_since(self.session, after_id=since, current=False)
            changed = self.session.execute(
                select(new.c.commodity_id, new.c.price_type, new.c.obs_date, func.max(new.c.id)).group_by(
                    new.c.commodity_id, new.c.price_type, new.c.obs_date
                )
            ).all()
            for cid, ptype, day, top in changed:
                e = self.entries.get((int(cid), PRICE_TYPE_CODES.get(str(ptype), -1)))
                if e is None or not e.valid or int(top) <= e.data_max_id:
                    continue
                d = day_of(day)
                if any(a <= d <= b for T in e.targets for a, b in e.windows(int(T))):
                    e.valid = False
        stale = [e.id for e in self.entries.values() if not e.valid]
        if stale:
            self.session.execute(delete(DetectionProfile).where(DetectionProfile.id.in_(stale)))
            self.stats.invalidated += len(stale)
            self.entries = {k: e for k, e in self.entries.items() if e.valid}
        fresh = [e.id for e in self.entries.values() if e.data_max_id < max_id]
        if fresh:
            self.session.execute(
                update(DetectionProfile)
                .where(DetectionProfile.id.in_(fresh))
                .values(data_max_id=max_id, checked_at=utcnow())
            )
            for e in self.entries.values():
                e.data_max_id = max(e.data_max_id, max_id)

    def usable(self, groups: dict[Key, np.ndarray], targets: list[int]) -> dict[Key, CachedProfiles]:
        """The cached profiles of the grids (key → outlet ids of the recent window) that cover ``targets``."""
        assert self._checked, "check() first"
        found: dict[Key, _Entry] = {}
        for key in groups:
            e = self.entries.get(key)
            if e is None:
                self.stats.miss("absent")
                continue
            if not all(str(T) in e.targets for T in targets):
                self.stats.miss("season")
                continue
            found[key] = e
        if not found:
            return {}
        payloads = dict(
            self.session.execute(
                select(DetectionProfile.id, DetectionProfile.payload).where(
                    DetectionProfile.id.in_([e.id for e in found.values()])
                )
            ).all()
        )
        out: dict[Key, CachedProfiles] = {}
        for key, e in found.items():
            try:
                cached = _decode(bytes(payloads[e.id]), {T: v["profile"] for T, v in e.targets.items()})
            except (KeyError, ValueError, TypeError, OSError) as exc:
                log.warning("cached profile %s unreadable (%s): learning it again", key, exc)
                self.stats.miss("unreadable")
                continue
            if not np.all(np.isin(groups[key], cached.outlet_ids)):
                self.stats.miss("outlets")
                continue
            if columns_key(cached.outlet_ids, self.catalog, self.config) != e.columns_key:
                self.stats.miss("outlets")
                continue
            out[key] = cached
        self.stats.used = len(out)
        return out

    def store(self, learned: dict[Key, CachedProfiles], max_id: int) -> None:
        """Keep the profiles learned in this run (replacing the grids' earlier rows)."""
        self.stats.learned = len(learned)
        if not learned:
            return
        rows = []
        for key, cached in sorted(learned.items()):
            encoded = _encode(cached)
            if encoded is None:
                continue
            payload, meta = encoded
            targets = {
                T: {"windows": [list(w) for w in season_windows(int(T), self.config)], "profile": m}
                for T, m in meta.items()
            }
            rows.append(
                {
                    "commodity_id": key[0],
                    "price_type": PTYPE_NAMES[key[1]],
                    "fingerprint": self.fingerprint,
                    "columns_key": columns_key(cached.outlet_ids, self.catalog, self.config),
                    "data_max_id": max_id,
                    "targets": targets,
                    "payload": payload,
                    "computed_at": utcnow(),
                    "checked_at": utcnow(),
                }
            )
        if not rows:
            return
        # A cache: a failure to write it (say, a concurrent run wrote the same grid) must not fail the run.
        try:
            with self.session.begin_nested():
                for row in rows:
                    self.session.execute(
                        delete(DetectionProfile).where(
                            DetectionProfile.commodity_id == row["commodity_id"],
                            DetectionProfile.price_type == row["price_type"],
                        )
                    )
                    self.session.execute(DetectionProfile.__table__.insert().values(**row))
            self.stats.stored = len(rows)
        except SQLAlchemyError as exc:
            log.warning("ramp profiles not cached: %s", exc)
