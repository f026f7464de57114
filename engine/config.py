"""Settings of a vaern installation, read from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///instance/vaern.sqlite3"


@dataclass(frozen=True)
class Settings:
    """Where the database and diagrams live, and how the service talks to the world."""

    database_url: str = DEFAULT_DATABASE_URL
    workflows_dir: Path = field(default_factory=lambda: Path("workflows"))
    max_diagram_bytes: int = 5 * 1024 * 1024
    echo_sql: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from VAERN_* environment variables, falling back to defaults."""
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("VAERN_DATABASE_URL", DEFAULT_DATABASE_URL),
            workflows_dir=Path(env.get("VAERN_WORKFLOWS_DIR", "workflows")),
            max_diagram_bytes=int(env.get("VAERN_MAX_DIAGRAM_BYTES", 5 * 1024 * 1024)),
            echo_sql=env.get("VAERN_ECHO_SQL", "") == "1",
        )
