"""The ingest path: CSV files, forms, API calls and spiders all store prices through here."""

from binhon.ingest.csvfile import CONTRACT_COLUMNS, FileRefused, Problem
from binhon.ingest.pipeline import Ingestor, IngestResult, import_csv, ingest_records
from binhon.ingest.store import correct_observation, history_of

__all__ = [
    "CONTRACT_COLUMNS",
    "FileRefused",
    "IngestResult",
    "Ingestor",
    "Problem",
    "correct_observation",
    "history_of",
    "import_csv",
    "ingest_records",
]
