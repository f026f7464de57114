"""Diagram files as modellers save them: other encodings than UTF-8, .bpmn20.xml, and paths that are not there."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine import Settings, open_vaern
from tests.conftest import DEMO_ORG, ROOT, T0, simple_xml

# "Testforløb" and "Påmindelse" carry the letters a latin-1 file writes as one byte each.
DECLARED = '<?xml version="1.0" encoding="UTF-8"?>'
assert simple_xml().startswith(DECLARED) and "Testforløb" in simple_xml()


def _encoded(encoding: str) -> bytes:
    return simple_xml().replace(DECLARED, f'<?xml version="1.0" encoding="{encoding}"?>', 1).encode(encoding)


def _vaern(*args: str, url: str):
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "VAERN_DATABASE_URL": url}, timeout=120)


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'vaern.sqlite3'}"
    vaern = open_vaern(Settings(database_url=url))
    vaern.import_org(DEMO_ORG, "admin", T0)
    vaern.db.dispose()
    return url


ENCODINGS = ("ISO-8859-1", "windows-1252", "UTF-16")


@pytest.mark.slow
def test_a_diagram_in_the_encoding_it_declares_checks_deploys_and_runs(tmp_path, url):
    paths = []
    for encoding in ENCODINGS:
        paths.append(tmp_path / f"simple-{encoding}.bpmn")
        paths[-1].write_bytes(_encoded(encoding))
        assert paths[-1].read_bytes() != simple_xml().encode("utf-8")
    checked = _vaern("check", *map(str, paths), url=url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert all(f"OK {path}" in checked.stdout for path in paths)
    deployed = _vaern("deploy", "--yes", *map(str, paths), url=url)
    assert deployed.returncode == 0 and "Traceback" not in deployed.stderr, deployed.stdout + deployed.stderr
    # Kept as UTF-8, the three files are one and the same diagram: one version.
    assert "simple deployed as version 1" in deployed.stdout
    assert deployed.stdout.count("unchanged, is version 1") == 2, deployed.stdout
    vaern = open_vaern(Settings(database_url=url))
    try:
        [definition] = vaern.definitions()
        assert definition.name == "Testforløb"
        info, xml = vaern.definition_xml("simple", 1)
        assert xml.startswith(DECLARED) and "Påmind lederen" in xml, "kept as UTF-8, saying so"
        case = vaern.start_case("simple", "afd-akut", {"employee_id": "ansat-akut"}, "ansat-akut", T0)
        assert [t.title for t in vaern.tasks_of_case(case.id)] == ["Samtale med den berørte"]
    finally:
        vaern.db.dispose()


def test_a_utf16_file_cannot_hide_a_doctype(tmp_path, url):
    xml = simple_xml().replace(DECLARED, '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY e "e">]>', 1)
    path = tmp_path / "sneaky.bpmn"
    path.write_bytes(xml.encode("utf-16"))
    result = _vaern("check", str(path), url=url)
    assert result.returncode == 1 and "DOCTYPE or ENTITY" in result.stdout


def test_an_encoding_that_cannot_be_read_is_a_problem_not_a_crash(tmp_path, url):
    path = tmp_path / "odd.bpmn"
    path.write_bytes(simple_xml().replace(DECLARED, '<?xml version="1.0" encoding="x-ukendt"?>', 1).encode())
    result = _vaern("check", str(path), url=url)
    assert result.returncode == 1 and "x-ukendt" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.slow
def test_deploy_says_so_when_there_is_nothing_to_deploy(tmp_path, url):
    missing = _vaern("deploy", "--yes", str(tmp_path / "mangler.bpmn"), url=url)
    assert missing.returncode == 1 and "mangler.bpmn: findes ikke" in missing.stderr
    assert "Traceback" not in missing.stderr and "FileNotFoundError" not in missing.stderr
    empty = tmp_path / "tom"
    empty.mkdir()
    result = _vaern("deploy", "--yes", str(empty), url=url)
    assert result.returncode == 1 and "tom: mappen har ingen diagrammer" in result.stderr


def test_a_folder_holding_bpmn20_xml_files_deploys_them(tmp_path, url):
    folder = tmp_path / "diagrammer"
    folder.mkdir()
    (folder / "simple.bpmn20.xml").write_text(simple_xml(), encoding="utf-8")
    result = _vaern("deploy", "--yes", str(folder), url=url)
    assert result.returncode == 0 and "simple deployed as version 1" in result.stdout, result.stdout + result.stderr
