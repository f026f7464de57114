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
    # The anonymous channel (docs/anonym.md): the handlers' private key lives outside the database, in this file
    # or (taking precedence) in VAERN_ANONYMOUS_PRIVATE_KEY; `vaern anonymous keygen` / `rotate` write the file.
    anonymous_key_file: Path = field(default_factory=lambda: Path("instance/anonymous_handlers.key"))
    anonymous_private_key: str | None = None
    # Argon2id on the writer's 16-digit code: memory-hard, so a stolen database cannot be searched for codes.
    anonymous_argon2_memory_kib: int = 65536
    anonymous_argon2_time_cost: int = 3
    anonymous_argon2_parallelism: int = 1
    # Wrong codes from one client within the window before it must wait; all clients together get the larger limit.
    anonymous_code_attempts: int = 10
    anonymous_code_attempts_total: int = 200
    anonymous_code_window_seconds: int = 15 * 60
    anonymous_retention_days: int = 365  # a closed anonymous report is deleted this long after it was closed
    sync_max_removed_share: float = 0.1  # a directory sync removing more of the people or units stops and asks
    # Single sign-on (OpenID Connect): on when an issuer is set. See README "Single sign-on".
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_match_claim: str = "employee_id"  # its value is a person's id (employee number) on the first log-in
    oidc_roles_claim: str = "groups"  # the claim holding the person's groups or app roles (a list or a string)
    oidc_admin_value: str | None = None  # a group/role in that claim that makes the person an administrator
    oidc_process_owner_value: str | None = None  # … a process owner
    oidc_label: str = "Region Midtjylland"  # the button reads "Log in with <label>"
    local_passwords: bool = True  # off: only the break-glass accounts below log in with a password
    break_glass_accounts: frozenset[str] = frozenset()

    @property
    def oidc_enabled(self) -> bool:
        """True when single sign-on is configured."""
        return bool(self.oidc_issuer and self.oidc_client_id)

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
            anonymous_key_file=Path(env.get("VAERN_ANONYMOUS_KEY_FILE", "instance/anonymous_handlers.key")),
            anonymous_private_key=env.get("VAERN_ANONYMOUS_PRIVATE_KEY") or None,
            anonymous_argon2_memory_kib=int(env.get("VAERN_ANONYMOUS_ARGON2_MEMORY_KIB", "65536")),
            anonymous_argon2_time_cost=int(env.get("VAERN_ANONYMOUS_ARGON2_TIME_COST", "3")),
            anonymous_argon2_parallelism=int(env.get("VAERN_ANONYMOUS_ARGON2_PARALLELISM", "1")),
            anonymous_code_attempts=int(env.get("VAERN_ANONYMOUS_CODE_ATTEMPTS", "10")),
            anonymous_code_attempts_total=int(env.get("VAERN_ANONYMOUS_CODE_ATTEMPTS_TOTAL", "200")),
            anonymous_code_window_seconds=int(env.get("VAERN_ANONYMOUS_CODE_WINDOW_SECONDS", str(15 * 60))),
            anonymous_retention_days=int(env.get("VAERN_ANONYMOUS_RETENTION_DAYS", "365")),
            deploy_needs_approval=env.get("VAERN_DEPLOY_NEEDS_APPROVAL", "") == "1",
            sync_max_removed_share=float(env.get("VAERN_SYNC_MAX_REMOVED_SHARE", "0.1")),
            oidc_issuer=(env.get("VAERN_OIDC_ISSUER") or "").rstrip("/") or None,
            oidc_client_id=env.get("VAERN_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env.get("VAERN_OIDC_CLIENT_SECRET") or None,
            oidc_scopes=env.get("VAERN_OIDC_SCOPES", "openid profile email"),
            oidc_match_claim=env.get("VAERN_OIDC_MATCH_CLAIM", "employee_id"),
            oidc_roles_claim=env.get("VAERN_OIDC_ROLES_CLAIM", "groups"),
            oidc_admin_value=env.get("VAERN_OIDC_ADMIN_VALUE") or None,
            oidc_process_owner_value=env.get("VAERN_OIDC_PROCESS_OWNER_VALUE") or None,
            oidc_label=env.get("VAERN_OIDC_LABEL", "Region Midtjylland"),
            local_passwords=env.get("VAERN_LOCAL_PASSWORDS", "1") != "0",
            break_glass_accounts=frozenset(p.strip() for p in env.get("VAERN_BREAK_GLASS", "").split(",") if p.strip()),
        )
