"""Item pipelines, one per file, run in the order of ITEM_PIPELINES (settings.py)."""
