"""Every sentence `vaern check` can write has a Danish sentence on the web: read from the engine's own source, so a
new check without one fails here."""
from __future__ import annotations

import ast

import pytest

from engine.bpmn.lint import FORBIDDEN_TASKS, MATERIAL
from tests.conftest import ROOT
from web.problem_texts import DETAILS, SENTENCES, _fill, has_sentence, problem_text

SOURCES = [ROOT / "engine" / "bpmn" / name for name in ("lint.py", "xml.py", "definitions.py")]
DETAIL_SOURCES = {ROOT / "engine" / "bpmn" / "expressions.py": "check_expression",
                  ROOT / "engine" / "bpmn" / "lint.py": "_timer_literal_problem"}
# Placeholders whose value the sentence's pattern names exactly; any other placeholder takes a plain token.
SAMPLE_VALUES = {"word": "source", "kind": "timeDuration", "MATERIAL": MATERIAL}


def _sample(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
            else:
                name = ast.unparse(value.value)
                parts.append(SAMPLE_VALUES.get(name, "1"))
        return "".join(parts)
    return None  # a variable: its values are checked where they are defined


def _sentences() -> list[str]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("add", "Problem"):
                    sample = _sample(node.args[-1])
                    if sample is not None:
                        found.append(sample)
    return found + list(FORBIDDEN_TASKS.values())


def _details() -> list[str]:
    found = []
    for path, function in DETAIL_SOURCES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
        for node in ast.walk(body):
            if isinstance(node, ast.Return) and node.value is not None:
                sample = _sample(node.value)
                if sample is not None:
                    found.append(sample)
    return found


def test_the_engine_s_sentences_were_all_found():
    assert len(_sentences()) >= 40 and len(_details()) >= 10


@pytest.mark.parametrize("sentence", _sentences())
def test_every_sentence_of_vaern_check_has_a_danish_one(sentence):
    assert has_sentence(sentence), f"no Danish sentence in web/problem_texts.py for: {sentence}"


@pytest.mark.parametrize("detail", _details())
def test_every_explanation_inside_a_sentence_has_a_danish_one(detail):
    assert _fill(DETAILS, detail), f"no Danish explanation in web/problem_texts.py for: {detail}"


def test_the_danish_sentences_keep_what_the_diagram_says_and_translate_the_rest(app):
    with app.test_request_context("/"):
        lane = problem_text("the lane name 'ledere' is not a known role; use one of: amr, hr, leader")
        assert lane == "Banens navn »ledere« er ikke en kendt rolle; brug en af: amr, hr, leader."
        timer = problem_text("the timer's timeDuration the setting 'x' = 'P2X' is not valid: a duration is written "
                             "like P14D or PT12H")
        assert timer == ("Timerens varighed indstillingen »x« = 'P2X' er ikke gyldig: en varighed skrives som P14D "
                         "eller PT12H.")
        assert problem_text("something new").startswith("Diagrammet har en fejl (motoren siger: something new")
        assert len(SENTENCES) >= 40
