"""Tết review analytics: province price levels, lunar-aligned season comparisons, breadth summaries,
alerts of a season and the Tết-window forecast with its backtest. Pure functions over pandas objects
(``seasons``, ``breadth``, ``forecast``), plus the loaders that read the database (``series``,
``alerts``) and the notebook charts (``plots``).
"""
