"""Every sentence `vaern check` can write has a Danish sentence on the web: read from the engine's own source, so a
new check without one fails here."""
from __future__ import annotations

import ast

import pytest

from engine.bpmn.lint import CAMUNDA_TASK_ATTRIBUTES, FORBIDDEN_TASKS, MATERIAL
from tests.conftest import ROOT
from web.problem_texts import DETAILS, HINTS, SENTENCES, _fill, has_sentence, hint_text, problem_text

SOURCES = [ROOT / "engine" / "bpmn" / name for name in ("lint.py", "xml.py", "definitions.py")]
HINT_SOURCE = ROOT / "engine" / "bpmn" / "hints.py"
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
                position = {"add": 1, "Problem": 3, "located": 3}.get(name)  # where each takes its message
                if position is not None and len(node.args) > position:
                    sample = _sample(node.args[position])
                    if sample is not None:
                        found.append(sample)
    return found + list(FORBIDDEN_TASKS.values())


def _hints() -> list[str]:
    """Every suggestion the engine can make: what hints.py returns and the hints lint.py passes to `add`."""
    found = []
    for node in ast.walk(ast.parse(HINT_SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Return) and node.value is not None:
            for part in ast.walk(node.value):
                if isinstance(part, ast.JoinedStr) and not _sample(part).startswith("`"):  # not a part of one
                    found.append(_sample(part))
                elif isinstance(part, ast.Constant) and part.value == "use ":  # "use " + the literals, joined
                    found.append("use `True`, `None`")
    for node in ast.walk(ast.parse(SOURCES[0].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add" and len(node.args) == 3:
            sample = _sample(node.args[2])
            if sample is not None:
                found.append(sample)
    return found


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


@pytest.mark.parametrize("hint", _hints())
def test_every_suggestion_has_a_danish_one(hint):
    assert _fill(HINTS, hint), f"no Danish suggestion in web/problem_texts.py for: {hint}"


@pytest.mark.parametrize("why", sorted(set(CAMUNDA_TASK_ATTRIBUTES.values())))
def test_every_reason_a_camunda_attribute_is_not_read_has_a_danish_one(why):
    assert _fill(DETAILS, why)


def test_suggestions_read_in_danish(app):
    with app.test_request_context("/"):
        assert hint_text("write `approved`") == "skriv `approved`"
        assert hint_text("use `True`") == "brug `True`"
        assert hint_text("remove camunda:assignee") == "fjern camunda:assignee"
        assert hint_text(None) is None
        assert problem_text("vaern does not read camunda:assignee: the lane decides who does a task in vaern") == \
            "vaern læser ikke camunda:assignee: i vaern afgør banen, hvem der udfører en opgave."


def test_an_upload_s_problems_name_the_element_and_say_what_to_write(client):
    """The upload page's table: the element's name over its id, the Danish sentence, and the suggestion."""
    import io

    from tests.web.conftest import login

    login(client, "koncern-hr")
    xml = (ROOT / "workflows" / "violence.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:lane id="lane_leader" name="leader">', '<bpmn:lane id="lane_leader" name="Leder">', 1)
    response = client.post("/admin/diagrams/upload", content_type="multipart/form-data",
                           data={"diagram": (io.BytesIO(xml.encode("utf-8")), "violence.bpmn")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    row = html[html.index("<code>lane_leader</code>"):html.index("<code>lane_leader</code>") + 600]
    assert '<br><span class="muted">Leder</span>' in row and "Banens navn »Leder« er ikke en kendt rolle" in row
    assert "Forslag: skriv `leader`" in row


def test_why_a_case_cannot_move_reads_in_danish_for_every_sentence_the_migration_check_writes(app):
    """Each reason engine/bpmn/migration.py and the deployment service can give has its own Danish sentence."""
    from web.blocker_texts import BLOCKERS, blocker_text

    sources = [ROOT / "engine" / "bpmn" / "migration.py", ROOT / "engine" / "deployment" / "service.py"]
    written = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) and ast.unparse(t.value) == "blockers"
                                                    for t in node.targets):
                written.append(_sample(node.value))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Blocker" and len(node.args) == 2:
                written.append(_sample(node.args[1]))
    # The label is "'name'" or "the element" (migration._label); a sample of each.
    samples = [w.replace("1 is removed", "'Samtale' is removed").replace("1 changes", "the element changes")
               .replace("1 moves", "'Samtale' moves").replace("of 1 change", "of 'Samtale' change")
               .replace("gateway 1", "gateway 'Alvorlig?'").replace("timer 1", "timer 'Påmindelse'")
               .replace("(1 -> 1)", "(a -> b)") for w in written if w]
    assert len(samples) == 8
    for sample in samples:
        assert any(p.match(sample) for p, _t in BLOCKERS), sample
    with app.test_request_context("/"):
        assert blocker_text("'Samtale' moves from lane 'leader' to 'hr', so other people would get the task") == \
            "»Samtale« flyttes fra banen »leader« til »hr«, så andre ville få opgaven"
        assert blocker_text("something new") == "something new"


def test_what_a_dry_run_s_cases_met_reads_in_danish_for_every_sentence_the_simulation_writes(app):
    """Each finding engine/simulation/simulate.py writes (through `find` or a Finding) has a Danish sentence."""
    from web.finding_texts import FINDINGS, finding_text

    tree = ast.parse((ROOT / "engine" / "simulation" / "simulate.py").read_text(encoding="utf-8"))
    written = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "find" and len(node.args) == 2:
            arg = node.args[1]
            if isinstance(arg, ast.BinOp):  # "the case did not close" + (" (nothing is pending)" if … else "")
                written += [_sample(arg.left), _sample(arg.left) + arg.right.body.value]
            else:
                written.append(_sample(arg))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding" and len(node.args) == 4:
            written.append(_sample(node.args[3]))
    samples = [w for w in written if w]
    samples += ["the serious case fell quiet without being escalated",
                "the case (the diagram escalates, and never asks whether a case is serious) fell quiet without being "
                "escalated"]  # the {kind} of the last sentence, as simulate.py names it
    samples = [s for s in samples if not s.startswith("the timeDuration fell")]  # the sample for {kind}
    assert len(samples) >= 12
    for sample in samples:
        assert any(p.match(sample) for p, _t in FINDINGS), sample
    with app.test_request_context("/"):
        assert finding_text("the task 'Samtale' is open in lane hr (unit afd-akut) with nobody to do it") == \
            "opgaven »Samtale« er åben i banen hr (enhed afd-akut), uden nogen til at udføre den"
