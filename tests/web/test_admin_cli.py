"""`vaern deploy`: checks like `vaern check`, shows what changed, asks before deploying, never hangs without a tty."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine import Settings, open_vaern
from engine.cli import main as cli_module
from tests.conftest import DEMO_ORG, DIAGRAMS, T0, simple_xml

CHANGED = simple_xml().replace('value="P2D"', 'value="P3D"').replace('label="Kort referat"', 'label="Referat"')


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'vaern.sqlite3'}"
    vaern = open_vaern(Settings(database_url=url))
    vaern.import_org(DEMO_ORG, "admin", T0)
    vaern.deploy((DIAGRAMS / "simple.bpmn").read_bytes(), "simple.bpmn", "admin", T0)
    vaern.db.dispose()
    monkeypatch.setenv("VAERN_DATABASE_URL", url)
    changed = tmp_path / "simple.bpmn"
    changed.write_text(CHANGED, encoding="utf-8")
    return url, changed


def _versions(url):
    vaern = open_vaern(Settings(database_url=url))
    try:
        return [d.version for d in vaern.definitions() if d.kind == "simple"]
    finally:
        vaern.db.dispose()


def test_without_a_terminal_and_without_yes_it_shows_the_diff_and_refuses(env):
    url, changed = env
    result = CliRunner().invoke(cli_module.cli, ["deploy", str(changed)])
    assert result.exit_code == 1
    assert "simple version 1 -> 2" in result.output
    assert "changed setting setting.reminder_after: value 'P2D' -> 'P3D'" in result.output
    assert "changed form_field Task_talk.summary" in result.output
    assert "--yes" in result.output and "not deployed" in result.output
    assert _versions(url) == [1]


def test_yes_deploys_after_showing_the_diff(env):
    url, changed = env
    result = CliRunner().invoke(cli_module.cli, ["deploy", "--yes", str(changed)])
    assert result.exit_code == 0, result.output
    assert "P3D" in result.output and "deployed as version 2" in result.output
    assert _versions(url) == [2, 1]
    again = CliRunner().invoke(cli_module.cli, ["deploy", str(changed)])
    assert again.exit_code == 0 and "unchanged, is version 2" in again.output


def test_at_a_terminal_it_asks_and_no_means_no(env):
    url, changed = env
    at_a_terminal = cli_module.CliContext(interactive=lambda: True)
    refused = CliRunner().invoke(cli_module.cli, ["deploy", str(changed)], input="n\n", obj=at_a_terminal)
    assert refused.exit_code == 0 and "Deploy" in refused.output and "not deployed" in refused.output
    assert _versions(url) == [1]
    accepted = CliRunner().invoke(cli_module.cli, ["deploy", str(changed)], input="y\n", obj=at_a_terminal)
    assert accepted.exit_code == 0 and "deployed as version 2" in accepted.output
    assert _versions(url) == [2, 1]


def test_a_broken_diagram_lists_every_problem_and_deploys_nothing(env, tmp_path):
    url, _ = env
    broken = tmp_path / "broken.bpmn"
    broken.write_text(simple_xml().replace('name="hr"', 'name="janitor"').replace("serious == True", "serious =="),
                      encoding="utf-8")
    result = CliRunner().invoke(cli_module.cli, ["deploy", "--yes", str(broken)])
    assert result.exit_code == 1
    assert "[Lane_hr]" in result.output and "[Flow_serious]" in result.output
    assert _versions(url) == [1]


@pytest.mark.slow
def test_running_the_demo_again_never_calls_an_older_version_current(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "simple.bpmn").write_bytes((DIAGRAMS / "simple.bpmn").read_bytes())
    monkeypatch.setenv("VAERN_DATABASE_URL", url)
    monkeypatch.setenv("VAERN_WORKFLOWS_DIR", str(workflows))
    first = CliRunner().invoke(cli_module.cli, ["demo", "--org", str(DEMO_ORG)])
    assert first.exit_code == 0, first.output
    assert "simple version 1 deployed" in first.output
    vaern = open_vaern(Settings(database_url=url))
    vaern.deploy(CHANGED.encode(), "simple.bpmn", "koncern-hr", T0)  # version 2, as from the web
    vaern.db.dispose()
    again = CliRunner().invoke(cli_module.cli, ["demo", "--org", str(DEMO_ORG)])
    assert again.exit_code == 0, again.output
    assert "version 2 is current" in again.output and "simple version 1 deployed" not in again.output

