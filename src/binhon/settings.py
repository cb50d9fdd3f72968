"""Application settings, read from BINHON_* environment variables (and a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_config_dir() -> Path:
    """The config/ folder of the working directory if there is one, else the project's."""
    here = Path.cwd() / "config"
    if (here / "commodities.yaml").is_file():
        return here
    return PROJECT_ROOT / "config"


class Settings(BaseSettings):
    """Every setting binhon reads; each can be set as BINHON_<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="BINHON_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    database_url: str = "sqlite:///binhon.db"
    config_dir: Path = _default_config_dir()
    timezone: str = "Asia/Ho_Chi_Minh"
    import_chunk_rows: int = 200_000
    max_reported_problems: int = 10_000
    actor: str | None = None

    @field_validator("database_url")
    @classmethod
    def _explicit_driver(cls, value: str) -> str:
        """Use psycopg 3 for plain postgres URLs."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call get_settings.cache_clear())."""
    return Settings()
