"""`vaern check` on diagrams written the way Camunda Modeler's users write them: every problem names its element
(id, name, line), says what to write instead where that is known, and quotes no parser's reprs or namespaces."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from engine.bpmn.definitions import validate
from engine.bpmn.hints import expression_hint, lane_hint
from engine.bpmn.xml import NSMAP, plain_parser_text
from engine.errors import DefinitionError, Problem
from tests.conftest import simple_xml

SIMPLE = simple_xml()
CONDITION = 'serious == True and defined("accused_id")'
assert CONDITION in SIMPLE
DC = "http://www.omg.org/spec/DD/20100524/DC"


def drawn(xml: str) -> str:
    """The diagram with a shape for every flow node and an edge for every flow the test added without one."""
    root = etree.fromstring(xml.encode("utf-8"))
    plane = root.find(".//bpmndi:BPMNPlane", NSMAP)
    have = {e.get("bpmnElement") for e in plane}
    for element in root.iterfind(".//bpmn:process//*[@id]", NSMAP):
        local = etree.QName(element).localname
        if element.get("id") in have or local in ("lane", "laneSet") or etree.QName(element).namespace != NSMAP["bpmn"]:
            continue
        if local == "sequenceFlow":
            edge = etree.SubElement(plane, f"{{{NSMAP['bpmndi']}}}BPMNEdge", id=element.get("id") + "_di",
                                    bpmnElement=element.get("id"))
            for x in ("10", "20"):
                etree.SubElement(edge, "{http://www.omg.org/spec/DD/20100524/DI}waypoint", x=x, y="10")
        elif not local.endswith(("Definition", "Expression", "Characteristics", "Condition", "condition")):
            shape = etree.SubElement(plane, f"{{{NSMAP['bpmndi']}}}BPMNShape", id=element.get("id") + "_di",
                                     bpmnElement=element.get("id"))
            etree.SubElement(shape, f"{{{DC}}}Bounds", x="10", y="10", width="36", height="36")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def problems_of(xml: str) -> list[Problem]:
    try:
        validate(xml.encode("utf-8"), "habit.bpmn", 10 ** 7)
    except DefinitionError as exc:
        return exc.problems
    return []


def only(problems: list[Problem], element_id: str) -> Problem:
    found = [p for p in problems if p.element_id == element_id]
    assert len(found) == 1, problems
    return found[0]


def test_the_diagram_under_the_tests_has_no_problem():
    assert problems_of(drawn(SIMPLE)) == []


@pytest.mark.parametrize("written, hint", [
    ("${serious}", "write `serious`"),
    ("#{serious &amp;&amp; !confidential}", "write `serious and not confidential`"),
    ("serious == true", "use `True`"),
    ("serious || confidential", "write `serious or confidential`"),
])
def test_a_camunda_condition_gets_the_python_to_write_instead(written, hint):
    problem = only(problems_of(SIMPLE.replace(CONDITION, written)), "Flow_serious")
    line = SIMPLE[:SIMPLE.index('id="Flow_serious"')].count("\n") + 1
    assert problem.hint == hint and problem.name == "Ja" and problem.line == line
    assert hint in str(problem) and "(Ja)" in str(problem)


def test_true_in_lower_case_fails_the_check_instead_of_the_running_case():
    problem = only(problems_of(SIMPLE.replace(CONDITION, "serious == true")), "Flow_serious")
    assert "reads 'true', which is no case variable" in problem.message


def test_a_form_field_named_true_is_a_variable_and_passes():
    xml = SIMPLE.replace(CONDITION, 'serious == true and defined("accused_id")').replace(
        'id="witnesses" label="Antal vidner"', 'id="true" label="Sandt"')
    assert [p for p in problems_of(xml) if p.element_id == "Flow_serious"] == []


def test_a_lane_named_by_its_danish_label_gets_the_role_to_write():
    problem = only(problems_of(SIMPLE.replace('name="leader"', 'name="Leder"')), "Lane_leader")
    assert problem.hint == "write `leader`" and problem.name == "Leder"
    assert lane_hint("Tillidsrepræsentant (TR)") == "write `tr`"
    assert lane_hint("Leders leder") == "write `leaders_leader`"
    assert lane_hint("Portner") is None


@pytest.mark.parametrize("attribute", ["assignee", "candidateGroups", "candidateUsers", "formKey", "dueDate"])
def test_camunda_s_own_task_attributes_are_reported_not_dropped(attribute):
    xml = SIMPLE.replace('<bpmn:userTask id="Task_hr" name="Sparring med HR">',
                         f'<bpmn:userTask id="Task_hr" name="Sparring med HR" camunda:{attribute}="x">')
    problem = only(problems_of(xml), "Task_hr")
    assert f"camunda:{attribute}" in problem.message and problem.hint == f"remove camunda:{attribute}"
    assert problem.name == "Sparring med HR"


def test_a_dangling_message_reference_is_named_on_its_event_not_an_assertion_error():
    problems = problems_of(SIMPLE.replace('messageRef="Message_withdrawn"', 'messageRef="Message_gone"'))
    problem = only(problems, "Msg_withdrawn")
    assert problem.message == "the event waits for the message 'Message_gone', which the diagram does not define"
    assert problem.line and problem.name == "Klagen trukket tilbage"
    assert not any("AssertionError" in p.message for p in problems)


MULTI = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="witness_list" camunda:elementVariable="w">'
         '<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">{}</bpmn:completionCondition>'
         '</bpmn:multiInstanceLoopCharacteristics>')


@pytest.mark.parametrize("where, xml", [
    ("completionCondition", lambda text: SIMPLE.replace(
        '<bpmn:incoming>Flow_4</bpmn:incoming>\n      <bpmn:outgoing>Flow_5</bpmn:outgoing>',
        '<bpmn:incoming>Flow_4</bpmn:incoming>\n      <bpmn:outgoing>Flow_5</bpmn:outgoing>' + MULTI.format(text))),
    ("loopCondition", lambda text: SIMPLE.replace(
        '<bpmn:incoming>Flow_4</bpmn:incoming>\n      <bpmn:outgoing>Flow_5</bpmn:outgoing>',
        '<bpmn:incoming>Flow_4</bpmn:incoming>\n      <bpmn:outgoing>Flow_5</bpmn:outgoing>'
        f'<bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">{text}'
        '</bpmn:loopCondition></bpmn:standardLoopCharacteristics>')),
])
def test_conditions_outside_flows_are_checked(where, xml):
    problem = only(problems_of(xml("${advice_given}")), "Task_hr")
    assert problem.hint == "write `advice_given`" and "is not allowed" in problem.message
    assert [p for p in problems_of(xml("advice_given == True")) if p.element_id == "Task_hr"] == []


def test_a_conditional_event_s_condition_is_checked():
    event = ('<bpmn:intermediateCatchEvent id="Wait_cond" name="Når rådgivet"><bpmn:incoming>Flow_5</bpmn:incoming>'
             '<bpmn:outgoing>Flow_6</bpmn:outgoing><bpmn:conditionalEventDefinition id="Cond_1">'
             '<bpmn:condition xsi:type="bpmn:tFormalExpression">advice_given == false</bpmn:condition>'
             '</bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>'
             '<bpmn:sequenceFlow id="Flow_6" sourceRef="Wait_cond" targetRef="End_1" />')
    xml = drawn(SIMPLE.replace('<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_hr" targetRef="End_1" />',
                               '<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_hr" targetRef="Wait_cond" />' + event)
                .replace('<bpmn:incoming>Flow_plain</bpmn:incoming>\n      <bpmn:incoming>Flow_5</bpmn:incoming>',
                         '<bpmn:incoming>Flow_plain</bpmn:incoming>\n      <bpmn:incoming>Flow_6</bpmn:incoming>')
                .replace('<bpmn:flowNodeRef>End_1</bpmn:flowNodeRef>',
                         '<bpmn:flowNodeRef>End_1</bpmn:flowNodeRef><bpmn:flowNodeRef>Wait_cond</bpmn:flowNodeRef>'))
    problem = only(problems_of(xml), "Wait_cond")
    assert problem.hint == "use `False`" and problem.name == "Når rådgivet"


SUB_TASK = '''<bpmn:subProcess id="Sub_hr" name="Sparring">
      <bpmn:incoming>Flow_4</bpmn:incoming>
      <bpmn:outgoing>Flow_5</bpmn:outgoing>
      <bpmn:startEvent id="Sub_start"><bpmn:outgoing>Sub_f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="Sub_f1" sourceRef="Sub_start" targetRef="Task_hr" />
      <bpmn:userTask id="Task_hr" name="Sparring med HR">
        <bpmn:incoming>Sub_f1</bpmn:incoming>
        <bpmn:outgoing>Sub_f2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="Sub_f2" sourceRef="Task_hr" targetRef="Sub_end" />
      {end}
    </bpmn:subProcess>'''


def _with_sub_process(end: str, lane_ref: str = "Sub_hr") -> str:
    start = SIMPLE.index('<bpmn:userTask id="Task_hr"')
    stop = SIMPLE.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    xml = SIMPLE[:start] + SUB_TASK.format(end=end) + SIMPLE[stop:]
    xml = xml.replace('targetRef="Task_hr" />\n    <bpmn:sequenceFlow id="Flow_5" sourceRef="Task_hr"',
                      'targetRef="Sub_hr" />\n    <bpmn:sequenceFlow id="Flow_5" sourceRef="Sub_hr"')
    xml = xml.replace("<bpmn:flowNodeRef>Task_hr</bpmn:flowNodeRef>",
                      f"<bpmn:flowNodeRef>{lane_ref}</bpmn:flowNodeRef>")
    xml = xml.replace('bpmnElement="Task_hr"', 'bpmnElement="Sub_hr"').replace('id="Task_hr_di"', 'id="Sub_hr_di"')
    return drawn(xml)


def test_a_user_task_in_an_expanded_sub_process_takes_the_sub_process_s_lane():
    end = '<bpmn:endEvent id="Sub_end"><bpmn:incoming>Sub_f2</bpmn:incoming></bpmn:endEvent>'
    assert problems_of(_with_sub_process(end)) == []
    # As the check says, so the engine does: the nested task's spec carries the sub-process's lane.
    parsed = validate(_with_sub_process(end).encode("utf-8"), "habit.bpmn", 10 ** 7)
    assert parsed.subprocess_specs["Sub_hr"].task_specs["Task_hr"].lane == "hr"
    # Out of every lane, the sub-process's task is still reported.
    lost = _with_sub_process(end, lane_ref="Nothing_here")
    problem = only(problems_of(lost), "Task_hr")
    assert problem.message == "the user task sits in no lane, so nobody can be assigned to it"


def test_the_workflow_engine_s_own_refusal_names_its_element_and_line():
    # A sub-process without an end event passes vaern's rules; SpiffWorkflow refuses it with no line.
    problems = problems_of(_with_sub_process('<bpmn:task id="Sub_end" name="Slut"><bpmn:incoming>Sub_f2'
                                             '</bpmn:incoming></bpmn:task>'))
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.message.startswith("the workflow engine cannot read the diagram: ")
    assert problem.element_id == "Sub_hr" and problem.name == "Sparring" and problem.line


def test_a_schema_error_names_its_element_with_short_names():
    xml = SIMPLE.replace("<bpmn:incoming>Flow_4</bpmn:incoming>", "<bpmn:rogue /><bpmn:incoming>Flow_4</bpmn:incoming>")
    problems = problems_of(xml)
    assert problems and all("{http" not in p.message for p in problems)
    assert any(p.element_id == "Task_hr" and p.name == "Sparring med HR" and "'bpmn:rogue'" in p.message
               for p in problems), problems


def test_parser_reprs_become_plain_text():
    raw = ("AssertionError('Expected 1 result. Received 0 results.') at <Element "
           "{http://www.omg.org/spec/BPMN/20100524/MODEL}boundaryEvent at 0x7f3a2b1c0d40> in "
           "{http://camunda.org/schema/1.0/bpmn}formData")
    assert plain_parser_text(raw) == "Expected 1 result. Received 0 results. at bpmn:boundaryEvent in camunda:formData"
    assert not re.search(r"0x[0-9a-f]+|\{http", plain_parser_text(raw))


def test_hints_are_only_offered_when_the_fix_is_itself_allowed():
    assert expression_hint("${a.b}") is None  # attribute access stays refused in Python too
    assert expression_hint("serious == True") is None


@pytest.mark.parametrize("written, meant", [("Serious == True", "serious"), ("seriuos == True", "serious")])
def test_a_near_miss_of_a_variable_is_named_with_the_variable_it_means(written, meant):
    problem = only(problems_of(SIMPLE.replace("serious == True", written)), "Flow_serious")
    assert "which nothing in the diagram sets" in problem.message and problem.hint == f"write `{meant}`"


def test_a_name_no_field_sets_and_no_field_resembles_passes_it_may_come_with_the_report():
    assert [p for p in problems_of(SIMPLE.replace("serious == True", "injured == True"))
            if p.element_id == "Flow_serious"] == []


def test_a_timer_written_as_camunda_writes_it_gets_the_setting_to_write():
    problem = only(problems_of(SIMPLE.replace(">reminder_after<", ">${reminder_after}<")), "Timer_remind")
    assert problem.hint == "write `reminder_after`" and problem.name == "Påmindelse"
    assert "the timer expression '${reminder_after}' is not allowed" in problem.message
