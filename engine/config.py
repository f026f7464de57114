"""Settings of a vaern installation, read from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from engine.bpmn.limits import DEFAULT_MAX_DURATION, DEFAULT_MIN_CYCLE, TimerLimits

DEFAULT_DATABASE_URL = "sqlite:///instance/vaern.sqlite3"


@dataclass(frozen=True)
class Settings:
    """Where the database and diagrams live, and how the service talks to the world."""

    database_url: str = DEFAULT_DATABASE_URL
    workflows_dir: Path = field(default_factory=lambda: Path("workflows"))
    max_diagram_bytes: int = 5 * 1024 * 1024
    echo_sql: bool = False
    base_url: str = "http://127.0.0.1:5000"
    workflow_cache_size: int = 500
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "vaern@localhost"
    smtp_starttls: bool = False
    timer_limits: TimerLimits = field(default_factory=TimerLimits)
    figures_threshold: int = 5  # a count under this is shown as "<5" (as Danish official statistics do)
    figures_long_open_days: int = 90  # "open longer than" in the committees' figures
    figures_confidential_min_people: int = 50  # confidential cases count only in units at least this large
    # Four eyes: a process owner's draft deploys only after another process owner approved exactly those bytes.
    deploy_needs_approval: bool = False
    figures_cache_seconds: int = 300  # a unit's figures for a year are counted again at most this often

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from VAERN_* environment variables, falling back to defaults."""
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("VAERN_DATABASE_URL", DEFAULT_DATABASE_URL),
            workflows_dir=Path(env.get("VAERN_WORKFLOWS_DIR", "workflows")),
            max_diagram_bytes=int(env.get("VAERN_MAX_DIAGRAM_BYTES", 5 * 1024 * 1024)),
            echo_sql=env.get("VAERN_ECHO_SQL", "") == "1",
            base_url=env.get("VAERN_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            workflow_cache_size=int(env.get("VAERN_WORKFLOW_CACHE", "500")),
            smtp_host=env.get("VAERN_SMTP_HOST") or None,
            smtp_port=int(env.get("VAERN_SMTP_PORT", "25")),
            smtp_user=env.get("VAERN_SMTP_USER") or None,
            smtp_password=env.get("VAERN_SMTP_PASSWORD") or None,
            smtp_from=env.get("VAERN_SMTP_FROM", "vaern@localhost"),
            smtp_starttls=env.get("VAERN_SMTP_STARTTLS", "") == "1",
            timer_limits=TimerLimits(env.get("VAERN_MAX_TIMER_DURATION", DEFAULT_MAX_DURATION),
                                     env.get("VAERN_MIN_TIMER_CYCLE", DEFAULT_MIN_CYCLE)),
            figures_threshold=int(env.get("VAERN_FIGURES_THRESHOLD", "5")),
            figures_long_open_days=int(env.get("VAERN_FIGURES_LONG_OPEN_DAYS", "90")),
            figures_confidential_min_people=int(env.get("VAERN_FIGURES_CONFIDENTIAL_MIN_PEOPLE", "50")),
            figures_cache_seconds=int(env.get("VAERN_FIGURES_CACHE_SECONDS", "300")),
            deploy_needs_approval=env.get("VAERN_DEPLOY_NEEDS_APPROVAL", "") == "1",
        )
