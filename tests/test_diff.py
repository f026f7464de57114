"""What changed between two versions of a diagram: tasks, lanes, form fields, timers, settings, gateways."""
from __future__ import annotations

import pytest

from engine import DefinitionError, diff_xml
from engine.bpmn.diff import ADDED, CHANGED, REMOVED
from tests.conftest import ROOT, simple_xml

NEW_FIELD = '<camunda:formField id="witnesses" label="Antal vidner" type="long" />'


def _changes(new: str):
    return {(c.change, c.category, c.element_id, c.detail): c for c in diff_xml(simple_xml(), new)}


def test_an_unchanged_diagram_has_no_changes():
    assert diff_xml(simple_xml(), simple_xml()) == []


def test_a_new_form_field_and_a_changed_label():
    new = simple_xml().replace(NEW_FIELD, NEW_FIELD + '<camunda:formField id="police" label="Politianmeldt?" type="boolean" />')
    new = new.replace('label="Kort referat"', 'label="Referat"')
    changes = _changes(new)
    added = changes[(ADDED, "form_field", "Task_talk.police", "")]
    assert "Politianmeldt?" in added.after and "boolean" in added.after and added.name == "Samtale med den berørte"
    label = changes[(CHANGED, "form_field", "Task_talk.summary", "label")]
    assert (label.before, label.after) == ("Kort referat", "Referat")


def test_a_required_constraint_and_options_are_field_changes():
    new = simple_xml().replace('<camunda:value id="other" name="Andet" />', "")
    new = new.replace('<camunda:formField id="meeting_date" label="Mødedato" type="date" />',
                      '<camunda:formField id="meeting_date" label="Mødedato" type="date"><camunda:validation>'
                      '<camunda:constraint name="required" /></camunda:validation></camunda:formField>')
    changes = _changes(new)
    assert changes[(CHANGED, "form_field", "Task_talk.category", "options")].after == "bullying=Mobning"
    required = changes[(CHANGED, "form_field", "Task_talk.meeting_date", "required")]
    assert (required.before, required.after) == ("no", "yes")


def test_a_setting_value_shows_as_a_setting_and_on_the_timer_that_reads_it():
    changes = _changes(simple_xml().replace('value="P2D"', 'value="5 arbejdsdage"'))
    setting = changes[(CHANGED, "setting", "setting.reminder_after", "value")]
    assert (setting.before, setting.after) == ("P2D", "5 arbejdsdage")
    timer = changes[(CHANGED, "timer", "Timer_remind", "timeDuration")]
    assert "P2D" in timer.before and "5 arbejdsdage" in timer.after


def test_a_timer_literal_replacing_a_setting_name():
    changes = _changes(simple_xml().replace(">reminder_after<", ">P14D<"))
    timer = changes[(CHANGED, "timer", "Timer_remind", "timeDuration")]
    assert timer.before == "reminder_after = P2D" and timer.after == "P14D"


def test_a_timer_changing_kind():
    changes = _changes(simple_xml().replace(
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">reminder_after</bpmn:timeDuration>',
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">2027-01-01T09:00:00+01:00</bpmn:timeDate>'))
    timer = changes[(CHANGED, "timer", "Timer_remind", "timer type")]
    assert timer.before == "timeDuration reminder_after = P2D" and timer.after == "timeDate 2027-01-01T09:00:00+01:00"


def test_a_changed_condition_and_default_flow():
    new = simple_xml().replace('serious == True and defined("accused_id")', "serious == True or witnesses > 2")
    changes = _changes(new)
    condition = changes[(CHANGED, "condition", "Flow_serious", "condition")]
    assert (condition.before, condition.after) == ('serious == True and defined("accused_id")',
                                                   "serious == True or witnesses > 2")


def test_lanes_tasks_and_gateways_added_removed_and_changed():
    new = simple_xml().replace('name="hr"', 'name="koncern_hr"')
    new = new.replace('<bpmn:userTask id="Task_hr" name="Sparring med HR">', '<bpmn:userTask id="Task_hr" name="Sparring med koncern-HR">')
    new = new.replace('<bpmn:exclusiveGateway id="Gateway_serious" name="Alvorlig?"', '<bpmn:inclusiveGateway id="Gateway_serious" name="Alvorlig?"')
    new = new.replace("</bpmn:exclusiveGateway>", "</bpmn:inclusiveGateway>")
    new = new.replace('<bpmn:userTask id="Task_hear" name="Partshøring">', '<bpmn:userTask id="Task_hear2" name="Partshøring">')
    changes = _changes(new)
    assert (changes[(CHANGED, "lane", "Lane_hr", "role")].before, changes[(CHANGED, "lane", "Lane_hr", "role")].after) == ("hr", "koncern_hr")
    assert changes[(CHANGED, "task", "Task_hr", "name")].after == "Sparring med koncern-HR"
    assert changes[(CHANGED, "task", "Task_hr", "lane")].after == "koncern_hr"
    assert changes[(CHANGED, "gateway", "Gateway_serious", "type")].after == "inclusiveGateway"
    assert (REMOVED, "task", "Task_hear", "") in changes and (ADDED, "task", "Task_hear2", "") in changes


def test_a_new_flow_and_a_removed_one():
    new = simple_xml().replace('<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_hr" targetRef="End_1" />',
                               '<bpmn:sequenceFlow id="Flow_6" sourceRef="Task_hr" targetRef="End_1" />')
    changes = _changes(new)
    assert changes[(ADDED, "flow", "Flow_6", "")].after == "Task_hr -> End_1"
    assert (REMOVED, "flow", "Flow_5", "") in changes


def test_changes_read_as_sentences():
    text = [str(c) for c in diff_xml(simple_xml(), simple_xml().replace('value="P2D"', 'value="P3D"'))]
    assert "changed setting setting.reminder_after: value 'P2D' -> 'P3D'" in text


def test_the_guideline_diagrams_differ_from_themselves_in_nothing():
    for path in sorted((ROOT / "workflows").glob("*.bpmn")):
        xml = path.read_text(encoding="utf-8")
        assert diff_xml(xml, xml) == []


def test_hostile_xml_is_not_diffed():
    with pytest.raises(DefinitionError):
        diff_xml(simple_xml(), '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>')
