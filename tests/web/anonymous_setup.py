"""What the anonymous channel's web tests share: a database with the organisation, the handler's and a
leader's accounts and the two diagrams, a handlers' key, and Argon2id at a small but real cost."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from engine import DEMO_PASSWORD, Settings, open_vaern
from engine.anonymous import sealing
from engine.testing import deploy_guideline
from tests.conftest import DEMO_ORG
from web import create_app

HANDLER = "anonym-region"
LEADER = "leder-akut"
SECRET_TEXT = "Souschefen kalder Mette dum foran patienterne"


def anonymous_settings(db_path: Path, key_file: Path) -> Settings:
    """The settings the app and the engine use in these tests."""
    return Settings(database_url=f"sqlite:///{db_path}", anonymous_key_file=key_file,
                    anonymous_argon2_memory_kib=8192, anonymous_argon2_time_cost=2)


def prepare(tmp_path: Path) -> Settings:
    """A fresh database and key in `tmp_path`, with the organisation, accounts and diagrams."""
    key_file = tmp_path / "keys" / "handlers.key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    sealing.write_key_file(key_file, sealing.generate())
    settings = anonymous_settings(tmp_path / "vaern.sqlite3", key_file)
    vaern = open_vaern(settings)
    now = datetime.now(timezone.utc)
    vaern.import_org(DEMO_ORG, "admin", now)
    for person in (HANDLER, LEADER):
        vaern.set_password(person, DEMO_PASSWORD, now)
    deploy_guideline(vaern, now, "harassment", "anonymous")
    vaern.db.dispose()
    return settings


def make_app(settings: Settings, **config):
    """The app on those settings, with the session's CSRF protection on, as in production."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "VAERN_DEMO": False, "VAERN_SCHEDULER": False,
                       "VAERN_SETTINGS": settings, **config})


def form_token(html: str) -> str:
    """The anonymous pages' signed form token."""
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def key_code(html: str) -> str:
    """The key code as the page shows it, once."""
    return re.search(r'id="key-code">([^<]+)<', html).group(1)
