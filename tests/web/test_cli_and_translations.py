"""`vaern run` joins the engine's commands; the Danish catalogue is complete and its .mo is up to date."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

import web
from web.cli import cli

TRANSLATIONS = Path(web.__file__).parent / "translations"


def test_the_vaern_command_has_the_engine_s_commands_and_run(monkeypatch, tmp_path):
    assert {"deploy", "demo", "case", "inbox", "run"} <= set(cli.commands)
    served = {}
    monkeypatch.setenv("VAERN_DATABASE_URL", f"sqlite:///{tmp_path / 'v.sqlite3'}")
    monkeypatch.setenv("VAERN_SECRET_KEY", "k")
    monkeypatch.setenv("VAERN_DEMO", "1")
    monkeypatch.setenv("VAERN_SCHEDULER", "0")  # a test process must not keep a scheduler running
    monkeypatch.setattr("flask.Flask.run", lambda self, **kw: served.update(kw))
    result = CliRunner().invoke(cli, ["run", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5099/" in result.output and "vaern-demo" in result.output
    assert served["port"] == 5099 and served["host"] == "127.0.0.1"


def _strings(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_every_string_has_a_danish_translation_and_the_mo_matches_the_po():
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "da" / "LC_MESSAGES" / "messages.po", "rb") as f:
        po = read_po(f)
    with open(TRANSLATIONS / "da" / "LC_MESSAGES" / "messages.mo", "rb") as f:
        mo = read_mo(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in po if m.id and m.string
                  and not m.fuzzy}
    assert template - set(translated) == set()
    for message in po:
        if message.id:
            compiled = mo.get(message.id, message.context)
            assert compiled is not None
            assert _strings(compiled.string) == _strings(message.string), message.id


def test_the_template_lists_every_string_in_the_code():
    from babel.messages.extract import extract_from_dir

    root = Path(web.__file__).parent
    method_map = [("**/node_modules/**", "ignore"), ("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(root), method_map, keywords={"_": None, "_l": None, "gettext": None,
                                                                          "ngettext": (1, 2)})}
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert found - template == set(), "run `make translations` and translate the new strings"
