"""Evaluation of binhon's price-anomaly detectors on labelled synthetic series.

- :mod:`benchmarks.evaluation.generator`: realistic labelled observations (real Tết dates, real
  PVOIL fuel ceilings) with injected anomalies of every alert kind;
- :mod:`benchmarks.evaluation.baselines`: three reference detectors (30-day median rule, ALPS with
  calendar-month dummies, STL robust z-score), all causal;
- :mod:`benchmarks.evaluation.scoring`: matching detections to injected events; recall, precision,
  F1, detection delay, the share of normal Tết windows alerted.

The command line driver is ``benchmarks/detection.py``.
"""
