"""Settings of the web app, read from BINHON_* environment variables (and a .env file).

The app needs no secret key: sessions are server side (the cookie holds a random id whose hash is
stored), CSRF tokens are random per session, API tokens are random and stored hashed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    """Every setting the web app reads; each can be set as BINHON_<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="BINHON_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    # Cookies: "auto" marks cookies Secure except for plain-http requests to a loopback address
    # (local development and tests); "true" always, "false" never (development only).
    cookie_secure: str = Field(default="auto", pattern=r"^(?i:auto|true|false|1|0|yes|no)$")
    session_hours: float = Field(default=10.0, gt=0, le=24 * 30)
    session_idle_minutes: float = Field(default=120.0, gt=0)
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    login_window_minutes: float = Field(default=15.0, gt=0)
    upload_dir: Path = Path("var/uploads")
    upload_max_mb: float = Field(default=5.0, gt=0, le=100)
    price_jump_warn_percent: float = Field(default=20.0, gt=0)
    freshness_days: int = Field(default=7, ge=1)
    api_max_items: int = Field(default=1000, ge=1)
    db_pool_size: int = Field(default=20, ge=1)
    forwarded_allow_ips: str = "127.0.0.1"

    @property
    def secure_mode(self) -> bool | None:
        """True/False when forced, None for auto."""
        value = self.cookie_secure.strip().lower()
        if value in ("true", "1", "yes"):
            return True
        if value in ("false", "0", "no"):
            return False
        return None


@lru_cache(maxsize=1)
def get_web_settings() -> WebSettings:
    """The process-wide web settings (tests call get_web_settings.cache_clear())."""
    return WebSettings()
