"""Benchmark: binhon's price-anomaly detectors against three baselines, on labelled synthetic data.

    python benchmarks/detection.py [--seed 7] [--years 4] [--scenarios 3] [--quick]
                                   [--no-binhon] [--no-causality-check] [--keep DIR]

For each scenario (seed = --seed + k, parameters varied: Tết ramp size, noise, gaps, promotion
frequency, event size, end date — see benchmarks/evaluation/generator.py:scenario_variants):

1. generate realistic labelled observations (benchmarks/evaluation/generator.py: real Tết dates,
   real PVOIL fuel ceilings from ../shared/data, markets closed around Tết, supermarket promotions,
   back-to-school, genuine market-wide moves; injected spikes, abnormal Tết ramps, gouging outlets,
   level shifts, drops and ceiling breaches);
2. binhon: import the CSV into a fresh temporary SQLite database through ``binhon.ingest.import_csv``
   (schema by ``binhon.db.migrate.upgrade``, catalogue by ``binhon.sync.sync_config``), run
   ``binhon.detection.run.run_detection(session, as_of=<last date>, actor="benchmark")`` and read the
   stored alerts; (first scenario) a causality check: the same data cut at a date D, detected as of
   D in another database, must give the same alerts first dated on or before D;
3. the baselines (benchmarks/evaluation/baselines.py) on the same observations;
4. score everything with benchmarks/evaluation/scoring.py and print, per anomaly kind and overall:
   recall, precision, F1, median and p90 detection delay (days), the share of normal Tết windows
   that raised a spike alert, runtime; then the goals with PASS/FAIL for binhon, against the goal
   and against every baseline.

Figures are pooled over the scenarios (events, detections and delays summed). Everything but the
runtimes is deterministic for a given --seed. ``--quick`` runs one small scenario (~40 series ×
2.5 years) for tests. ``--keep DIR`` writes each scenario's CSV, labels, context and every
detector's detections there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO / "src", REPO):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from benchmarks.evaluation.baselines import BASELINES, DETECTION_COLUMNS, run_baseline  # noqa: E402
from benchmarks.evaluation.generator import (  # noqa: E402
    KINDS,
    QUICK_PARAMS,
    GeneratorParams,
    Scenario,
    generate,
    scenario_variants,
    summary,
)
from benchmarks.evaluation.scoring import Score, outcomes_frame, score  # noqa: E402

GOALS = {
    "overall_f1": 0.90,
    "tet_f1": 0.90,
    "tet_share": 0.03,
    "median_delay": 1.0,
    "ceiling_f1": 0.98,
}


# ----------------------------------------------------------------------------------------------
# binhon
# ----------------------------------------------------------------------------------------------


def binhon_available() -> str | None:
    """None when binhon's detector can be imported, else why not."""
    try:
        from binhon.detection.run import run_detection  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - report anything
        return f"{type(exc).__name__}: {exc}"
    return None


def _detection_config() -> Any:
    """The default detection config, with every stored day judged on the first run."""
    try:
        from binhon.detection.config import load_detection_config, with_overrides

        cfg = load_detection_config()
        if getattr(cfg.run, "first_run_days", None) is not None:
            cfg = with_overrides(cfg, {"run.first_run_days": None})
        return cfg
    except Exception:  # noqa: BLE001 - an older/newer API: let run_detection load its default
        return None


def _fresh_database(path: Path) -> Any:
    from binhon.db.engine import make_engine, session_scope
    from binhon.db.migrate import upgrade
    from binhon.sync import sync_config

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(engine) as session:
        sync_config(session=session, actor="benchmark")
    return engine


def read_alerts(session: Any) -> pd.DataFrame:
    """Every stored alert as detections (DETECTION_COLUMNS), with the outlets each one covers."""
    from sqlalchemy import select

    from binhon.db.models import Alert, Area, Commodity, Outlet

    areas = {a.id: (a.parent_id, a.level) for a in session.scalars(select(Area))}

    def ancestors(area_id: int | None) -> set[int]:
        out: set[int] = set()
        while area_id is not None and area_id not in out:
            out.add(area_id)
            area_id = areas.get(area_id, (None, None))[0]
        return out

    outlet_rows = session.execute(
        select(Outlet.id, Outlet.code, Outlet.area_id, Outlet.commune_id, Outlet.district_id)
    ).all()
    outlet_code = {r.id: r.code for r in outlet_rows}
    outlet_areas = {
        r.code: ancestors(r.area_id) | ancestors(r.commune_id) | ancestors(r.district_id) for r in outlet_rows
    }
    commodity_code = dict(session.execute(select(Commodity.id, Commodity.code)).all())
    rows = []
    for a in session.scalars(select(Alert).order_by(Alert.id)):
        if a.outlet_id is not None:
            code = outlet_code[a.outlet_id]
            level, covered = "outlet", frozenset([code])
        elif a.area_id is not None and areas.get(a.area_id, (None, ""))[1] not in ("province",):
            level = "area"
            covered = frozenset(c for c, anc in outlet_areas.items() if a.area_id in anc)
            code = ""
        else:
            level, covered, code = "province", frozenset(), ""
        rows.append(
            {
                "detector": "binhon",
                "kind": a.kind,
                "commodity": commodity_code.get(a.commodity_id, "") if a.commodity_id is not None else "",
                "outlet": code,
                "area": str(a.area_id or ""),
                "level": level,
                "first_date": a.first_date,
                "last_date": a.last_date,
                "observed_vnd": a.observed_vnd,
                "expected_vnd": a.expected_vnd,
                "covered": covered,
                "severity": a.severity,
                "alert_detector": a.detector,
            }
        )
    return pd.DataFrame(rows, columns=[*DETECTION_COLUMNS, "severity", "alert_detector"])


def run_binhon(
    scenario: Scenario, workdir: Path, *, cut: dt.date | None = None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Import the scenario (optionally only its observations dated <= cut) and detect as of its end."""
    from binhon.db.engine import session_factory
    from binhon.detection.run import run_detection
    from binhon.ingest import import_csv

    tag = f"s{scenario.seed}" + (f"-cut{cut:%Y%m%d}" if cut else "")
    csv_path = workdir / f"{tag}.csv"
    sc = scenario
    if cut is not None:
        obs = scenario.observations
        sc = Scenario(**{**vars(scenario), "observations": obs[pd.to_datetime(obs["date"]).dt.date <= cut]})
    sc.write_csv(csv_path)
    engine = _fresh_database(workdir / f"{tag}.db")
    session = session_factory(engine)()
    timings: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        try:
            import_csv(session, csv_path, actor="benchmark")
        except Exception as exc:
            problems = getattr(exc, "problems", None) or []
            shown = "; ".join(f"line {p.line}: {p.reason}" for p in problems[:5])
            raise SystemExit(f"binhon refused the generated CSV ({exc}): {shown}") from exc
        session.commit()
        timings["import"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_detection(session, as_of=cut or scenario.end, actor="benchmark", config=_detection_config())
        session.commit()
        timings["detect"] = time.perf_counter() - t0
        alerts = read_alerts(session)
    finally:
        session.close()
        engine.dispose()
    return alerts, timings


def causality_check(scenario: Scenario, full: pd.DataFrame, workdir: Path) -> str:
    """Detect on the data cut at a date D; the alerts first dated <= D must equal the full run's."""
    cut = scenario.start + (scenario.end - scenario.start) * 2 // 3
    part, _ = run_binhon(scenario, workdir, cut=cut)

    def keys(frame: pd.DataFrame) -> set[tuple[object, ...]]:
        frame = frame[pd.to_datetime(frame["first_date"]).dt.date <= cut]
        return {
            tuple(
                None if pd.isna(v) else v
                for v in (r.kind, r.commodity, r.outlet, r.area, r.first_date, r.observed_vnd, r.expected_vnd)
            )
            for r in frame.itertuples(index=False)
        }

    a, b = keys(full), keys(part)
    if a == b:
        return f"causality check: the {len(a)} alerts first dated ≤ {cut} match a run on data cut there: OK"
    return (
        f"causality check FAILED: alerts first dated ≤ {cut}: {len(a)} in the full run, {len(b)} with data "
        f"cut at {cut}; {len(a - b)} only in the full run, {len(b - a)} only in the cut run"
    )


# ----------------------------------------------------------------------------------------------
# Printing
# ----------------------------------------------------------------------------------------------


def _f(x: float, digits: int = 3) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _d(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.1f}"


def print_tables(scores: dict[str, Score]) -> None:
    names = list(scores)
    width = max(10, *(len(n) for n in names))
    header = (
        f"  {'detector':<{width}} {'recall':>7} {'precision':>9} {'F1':>6} {'delay med':>9} {'delay p90':>9}"
        "   detected/events  TP/FP charged"
    )
    for kind in KINDS:
        n_events = scores[names[0]].kinds[kind].events
        print(f"\n== {kind} ({n_events} events) ==")
        print(header)
        for name in names:
            k = scores[name].kinds[kind]
            print(
                f"  {name:<{width}} {_f(k.recall):>7} {_f(k.precision):>9} {_f(k.f1):>6} "
                f"{_d(k.median_delay):>9} {_d(k.p90_delay):>9}   {k.detected:>5}/{k.events:<5}      "
                f"{k.tp:.0f}/{k.fp:.1f}"
            )
    total_events = scores[names[0]].overall.events
    print(f"\n== overall ({total_events} events) ==")
    print(
        f"  {'detector':<{width}} {'recall':>7} {'precision':>9} {'F1':>6} {'delay med':>9} {'delay p90':>9} "
        f"{'normal Tết alerted':>19} {'runtime s':>9}   TP/FP/neutral  false positives by scope"
    )
    for name in names:
        s = scores[name]
        o = s.overall
        tet = f"{_f(100 * s.tet_share, 2)}% ({s.tet_alerted}/{s.tet_windows})"
        scopes = ", ".join(f"{k} {v}" for k, v in sorted(s.fp_by_scope.items()))
        print(
            f"  {name:<{width}} {_f(o.recall):>7} {_f(o.precision):>9} {_f(o.f1):>6} {_d(o.median_delay):>9} "
            f"{_d(o.p90_delay):>9} {tet:>19} {s.runtime:>9.1f}   {s.tp}/{s.fp}/{s.neutral}  {scopes}"
        )


def goal_values(s: Score) -> dict[str, float]:
    return {
        "overall_f1": s.overall.f1,
        "tet_f1": s.kinds["tet_abnormal"].f1,
        "tet_share": s.tet_share,
        "median_delay": s.overall.median_delay,
        "ceiling_f1": s.kinds["ceiling_breach"].f1,
    }


GOAL_TEXT = {
    "overall_f1": ("F1 overall", "≥", "{:.3f}"),
    "tet_f1": ("F1 on abnormal-Tết events", "≥", "{:.3f}"),
    "tet_share": ("share of normal Tết windows alerted", "≤", "{:.2%}"),
    "median_delay": ("median detection delay (days)", "≤", "{:.1f}"),
    "ceiling_f1": ("F1 on ceiling breaches", "≥", "{:.3f}"),
}


def print_goals(scores: dict[str, Score]) -> bool:
    """PASS/FAIL of binhon against each goal and each baseline; True when all pass."""
    ours = goal_values(scores["binhon"])
    others = {n: goal_values(s) for n, s in scores.items() if n != "binhon"}
    ok_all = True
    print("\n== goals (binhon) ==")
    for key, target in GOALS.items():
        label, op, fmt = GOAL_TEXT[key]
        value = ours[key]
        higher = op == "≥"
        if value is None or math.isnan(value):
            ok = False
            shown = "-"
        else:
            ok = value >= target if higher else value <= target
            shown = fmt.format(value)
        ok_all &= ok
        print(f"  {label} {op} {fmt.format(target)}: {shown}  {'PASS' if ok else 'FAIL'}")
        for name, vals in others.items():
            theirs = vals[key]
            if value is None or math.isnan(value):
                verdict = "FAIL"
            elif theirs is None or math.isnan(theirs):
                verdict = "PASS (baseline has no value)"
            elif value == theirs:
                verdict = "PASS (tie)" if (not higher or value >= target) else "FAIL (tie)"
            else:
                verdict = "PASS" if (value > theirs if higher else value < theirs) else "FAIL"
            ok_all &= verdict.startswith("PASS")
            print(
                f"      better than {name:<9} ({'-' if math.isnan(theirs) else fmt.format(theirs)}): "
                f"{verdict}"
            )
    print(f"\nALL GOALS: {'PASS' if ok_all else 'FAIL'}")
    return ok_all


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--years", type=float, default=None, help="years of data per scenario (default 4; quick 2.5)"
    )
    ap.add_argument("--scenarios", type=int, default=None, help="number of scenarios (default 3; quick 1)")
    ap.add_argument("--quick", action="store_true", help="small scenarios (~40 series × 2.5 years)")
    ap.add_argument("--no-binhon", action="store_true", help="baselines only")
    ap.add_argument("--no-causality-check", action="store_true")
    ap.add_argument(
        "--baselines", default=",".join(BASELINES), help="comma-separated subset of " + ",".join(BASELINES)
    )
    ap.add_argument(
        "--keep", type=Path, default=None, help="write data, labels and detections to this directory"
    )
    args = ap.parse_args(argv)
    # binhon's monthly indicators warn about rank-deficient designs on short series; keep the
    # report readable (the figures do not depend on it). statsmodels installs "always" filters
    # when imported, so import it first for this filter to take precedence.
    import statsmodels.tools.sm_exceptions  # noqa: F401

    warnings.filterwarnings("ignore", module=r"binhon\.detection")

    base: GeneratorParams = QUICK_PARAMS if args.quick else GeneratorParams()
    if args.years is not None:
        base = base.with_(years=args.years)
    n_scen = args.scenarios if args.scenarios is not None else (1 if args.quick else 3)
    baselines = [b for b in args.baselines.split(",") if b]
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        ap.error(f"unknown baselines: {unknown}")

    why_not = None if args.no_binhon else binhon_available()
    use_binhon = not args.no_binhon and why_not is None
    if not args.no_binhon and why_not is not None:
        print(f"NOTE: binhon's detector is not available ({why_not}); baselines only.")

    detectors = (["binhon"] if use_binhon else []) + baselines
    pooled = {name: Score(detector=name) for name in detectors}
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="binhon-detect-bench-") as tmp:
        workdir = Path(tmp)
        for k, (label, params) in enumerate(scenario_variants(base, n_scen)):
            seed = args.seed + k
            t0 = time.perf_counter()
            scenario = generate(seed, params)
            print(
                f"\n### scenario {k + 1}/{n_scen} (seed {seed}, {label}; "
                f"generated in {time.perf_counter() - t0:.1f} s)"
            )
            print(f"    {summary(scenario)}")
            for note in scenario.notes:
                print(f"    note: {note}")
            keep = None
            if args.keep:
                keep = args.keep / f"scenario-{seed}"
                keep.mkdir(parents=True, exist_ok=True)
                scenario.write_csv(keep / "observations.csv")
                scenario.labels.to_csv(keep / "labels.csv", index=False)
                scenario.context.to_csv(keep / "context.csv", index=False)
            per: dict[str, Score] = {}
            if use_binhon:
                alerts, timings = run_binhon(scenario, workdir)
                kinds = alerts["kind"].value_counts().to_dict()
                print(
                    f"    binhon: import {timings['import']:.1f} s, detection {timings['detect']:.1f} s, "
                    f"{len(alerts)} alerts {kinds}"
                )
                per["binhon"] = score(scenario, alerts, detector="binhon", runtime=timings["detect"])
                if keep:
                    outcomes_frame(per["binhon"]).to_csv(keep / "detections-binhon.csv", index=False)
                if k == 0 and not args.no_causality_check:
                    print(f"    {causality_check(scenario, alerts, workdir)}")
            for name in baselines:
                dets, secs = run_baseline(name, scenario.observations)
                per[name] = score(scenario, dets, detector=name, generic=True, runtime=secs)
                if keep:
                    outcomes_frame(per[name]).to_csv(keep / f"detections-{name}.csv", index=False)
            if keep:
                missed = {n: set(per[n].missed) for n in detectors}
                labels = scenario.labels.copy()
                for n in detectors:
                    labels[f"missed_by_{n}"] = labels["event_id"].isin(missed[n])
                labels.to_csv(keep / "labels.csv", index=False)
            for name in detectors:
                s = per[name]
                o = s.overall
                print(
                    f"    {name:<9} recall {_f(o.recall)} precision {_f(o.precision)} F1 {_f(o.f1)} "
                    f"tet-F1 {_f(s.kinds['tet_abnormal'].f1)} ceiling-F1 {_f(s.kinds['ceiling_breach'].f1)} "
                    f"normal Tết alerted {s.tet_alerted}/{s.tet_windows} ({s.runtime:.1f} s)"
                )
                pooled[name].add(s)

    print(
        f"\n######## pooled over {n_scen} scenario(s), seed {args.seed}; "
        f"wall time {time.perf_counter() - t_start:.0f} s"
    )
    print("baselines: " + "; ".join(f"{n}: {BASELINES[n].description}" for n in baselines))
    print_tables(pooled)
    if use_binhon:
        print_goals(pooled)
    else:
        print("\n(goals not evaluated: binhon's detector was not run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
