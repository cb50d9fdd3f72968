"""Errors shown to users: the CLI prints them without a traceback."""

from __future__ import annotations

from pathlib import Path


class BinhonError(Exception):
    """Base class for errors shown to users (no traceback)."""


class ConfigError(BinhonError):
    """A configuration file is missing, malformed or has an invalid value."""

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = message
        super().__init__(f"{self.file}: {key}: {message}")


class ImportRejected(BinhonError):
    """An import stored nothing because some rows were invalid."""

    def __init__(self, message: str, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__(message)
