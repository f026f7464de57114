"""vaern's own checks of a diagram, beyond the BPMN schema: references, lanes, gateways,
expressions, timers, forms, notices and diagram interchange. Each finds every problem it can."""
from __future__ import annotations

import re
from typing import Iterable

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.expressions import WORKING_DAYS, check_expression, is_iso_literal, names_read
from engine.bpmn.hints import expression_hint, lane_hint, misspelt_literals, misspelt_names
from engine.bpmn.limits import TimerLimits
from engine.bpmn.lint_policy import policy_problems
from engine.bpmn.xml import BPMN_NS, BPMNDI_NS, CAMUNDA_NS, NSMAP
from engine.errors import Problem
from engine.org.roles import KNOWN_ROLES, NOTICE_KINDS, PERSON_ROLES

FORM_FIELD_TYPES = frozenset({"string", "long", "boolean", "date", "enum"})
FORBIDDEN_TASKS = {
    "scriptTask": "script tasks run code; vaern diagrams may not contain them",
    "serviceTask": "service tasks call out of the service; vaern diagrams may not contain them",
    "businessRuleTask": "business rule tasks are not supported by vaern",
    "callActivity": "call activities to other diagrams are not supported by vaern",
}
FLOW_NODE_TAGS = frozenset({
    "task", "userTask", "manualTask", "sendTask", "receiveTask", "scriptTask", "serviceTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "startEvent", "endEvent",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
    "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
})
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SETTING_PREFIX = "setting."
_LOOKS_ISO = re.compile(r"^(P|PT|R)\d|^\d{4}-")  # meant as an ISO literal, so check it as one
# Every case starts knowing who it happened to and who reported it (the report form asks both); a
# process may declare more in its property `case_starts_with` (and start_case then requires them).
PEOPLE_AT_START = ("employee_id", "reporter_id")
STARTS_WITH = "case_starts_with"
# Camunda 7's ways of choosing who does a task and which form it shows; in vaern the lane and the form fields do.
CAMUNDA_TASK_ATTRIBUTES = {
    "assignee": "the lane decides who does a task in vaern",
    "candidateUsers": "the lane decides who does a task in vaern",
    "candidateGroups": "the lane decides who does a task in vaern",
    "formKey": "vaern shows the task's form fields (camunda:formData), not a form of its own",
    "formRef": "vaern shows the task's form fields (camunda:formData), not a form of its own",
    "dueDate": "a deadline in vaern is a timer on the task",
    "followUpDate": "a reminder in vaern is a timer on the task",
}
# SpiffWorkflow names its own start and end tasks so: an element with one of these ids breaks the case.
RESERVED_IDS = frozenset({"Start", "End", "Root"})


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _bpmn(element: etree._Element, path: str) -> list[etree._Element]:
    return element.xpath(path, namespaces=NSMAP)


def process_settings(process: etree._Element) -> dict[str, str]:
    """The `setting.*` extension properties of a process: name → default value."""
    settings = {}
    for prop in _bpmn(process, "./bpmn:extensionElements/camunda:properties/camunda:property"):
        name = prop.get("name") or ""
        if name.startswith(SETTING_PREFIX):
            settings[name[len(SETTING_PREFIX):]] = prop.get("value") or ""
    return settings


def people_at_start(process: etree._Element) -> tuple[str, ...]:
    """The person variables a process declares every case starts with (`case_starts_with`)."""
    return tuple(dict.fromkeys(_split(element_properties(process).get(STARTS_WITH, ""))))


MATERIAL = "hearing_material"


def material_names(task: etree._Element) -> tuple[str, ...]:
    """The case variables a user task shows the person doing it (its `hearing_material` property)."""
    return tuple(dict.fromkeys(_split(element_properties(task).get(MATERIAL, ""))))


def element_properties(element: etree._Element) -> dict[str, str]:
    """The camunda extension properties of an element (name → value)."""
    return {p.get("name") or p.get("id") or "": p.get("value") or ""
            for p in _bpmn(element, "./bpmn:extensionElements/camunda:properties/camunda:property")}


class _Linter:
    def __init__(self, tree: etree._ElementTree, filename: str, limits: TimerLimits | None = None):
        self.root = tree.getroot()
        self.filename = filename
        self.limits = limits
        self.problems: list[Problem] = []

    def add(self, element: etree._Element | None, message: str, hint: str | None = None) -> None:
        line = element.sourceline if element is not None else None
        element_id = element.get("id") if element is not None else None
        name = (element.get("name") or "").strip() or None if element is not None else None
        self.problems.append(Problem(self.filename, line, element_id, message, name=name, hint=hint))

    def check_condition(self, element: etree._Element, text: str, variables: set[str]) -> None:
        """A condition (on a flow, a loop, a conditional event) as vaern will evaluate it."""
        problem = check_expression(text)
        if problem:
            self.add(element, f"the condition {text.strip()!r} is not allowed: {problem}", expression_hint(text))
            return
        for name in misspelt_literals(text, variables):
            self.add(element, f"the condition {text.strip()!r} reads '{name}', which is no case variable",
                     expression_hint(text))
        for name, meant in misspelt_names(text, variables):
            # Only a near miss is reported: a name no field sets may still come with the report that starts a case.
            self.add(element, f"the condition {text.strip()!r} reads '{name}', which nothing in the diagram sets",
                     f"write `{meant}`")

    def run(self) -> list[Problem]:
        if etree.QName(self.root).namespace != BPMN_NS or _local(self.root) != "definitions":
            self.add(self.root, "the file is not a BPMN 2.0 diagram (root must be bpmn:definitions)")
            return self.problems
        self.check_ids()
        processes = _bpmn(self.root, "./bpmn:process")
        executable = [p for p in processes if p.get("isExecutable") == "true"]
        if len(executable) != 1:
            self.add(self.root, f"a diagram must hold exactly one executable process; this one has {len(executable)}")
        for process in processes:
            self.check_process(process)
        self.check_messages()
        self.check_diagram_interchange()
        return self.problems

    def check_ids(self) -> None:
        seen: dict[str, etree._Element] = {}
        for element in self.root.iter():
            # Only BPMN and DI elements have document-wide ids; camunda:property ids are local names.
            if not isinstance(element.tag, str) or etree.QName(element).namespace not in (BPMN_NS, BPMNDI_NS):
                continue
            element_id = element.get("id")
            if element_id is None:
                continue
            if element_id in RESERVED_IDS and etree.QName(element).namespace == BPMN_NS:
                self.add(element, f"the id '{element_id}' is reserved by the engine; give the element another id")
            if element_id in seen:
                self.add(element, f"the id '{element_id}' is used twice (first on line {seen[element_id].sourceline})")
            else:
                seen[element_id] = element

    def check_process(self, process: etree._Element) -> None:
        settings = process_settings(process)
        for name, value in settings.items():
            if not _IDENTIFIER.match(name):
                self.add(process, f"the setting name '{name}' must be letters, digits and '_'")
            if not value.strip():
                self.add(process, f"the setting '{name}' has no value")
        nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str)
                 and etree.QName(n).namespace == BPMN_NS and _local(n) in FLOW_NODE_TAGS}
        for node in nodes.values():
            tag = _local(node)
            if tag in FORBIDDEN_TASKS:
                self.add(node, FORBIDDEN_TASKS[tag])
        for node in nodes.values():
            if _local(node) == "subProcess" and node.get("triggeredByEvent") == "true":
                # SpiffWorkflow 3.2 rewires the shared process spec when an event subprocess starts,
                # so every later case of the same version would never complete.
                self.add(node, "event subprocesses are not supported by vaern; catch the event with a boundary "
                               "or intermediate event instead")
        for script in process.iter(f"{{{BPMN_NS}}}script", f"{{{CAMUNDA_NS}}}script"):
            self.add(script.getparent(), "scripts are not allowed in vaern diagrams")
        for listener in process.iter(f"{{{CAMUNDA_NS}}}executionListener", f"{{{CAMUNDA_NS}}}taskListener"):
            self.add(listener.getparent().getparent(), "execution and task listeners are not supported by vaern")
        self.check_flows(process, nodes, _variables(process, settings))
        self.check_conditions(process, _variables(process, settings))
        self.check_camunda_habits(process)
        self.check_lanes(process, nodes)
        self.check_person_lanes(process, nodes)
        self.check_gateways(process, nodes)
        self.check_timers(process, settings)
        self.check_forms(process)
        self.check_notices(process)
        self.check_multi_instance(process)
        if self.limits is not None:  # what a new version may ask of the engine (lint_policy)
            for element, message in policy_problems(process, settings, self.limits):
                self.add(element, message)

    def check_flows(self, process: etree._Element, nodes: dict, variables: set[str]) -> None:
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            for end in ("sourceRef", "targetRef"):
                ref = flow.get(end)
                word = "source" if end == "sourceRef" else "target"
                if not ref:
                    self.add(flow, f"the sequence flow has no {word}")
                elif ref not in nodes:
                    self.add(flow, f"the sequence flow's {word} '{ref}' does not exist in process '{process.get('id')}'")
            condition = _bpmn(flow, "./bpmn:conditionExpression")
            if condition:
                self.check_condition(flow, condition[0].text or "", variables)

    def check_conditions(self, process: etree._Element, variables: set[str]) -> None:
        """Conditions outside flows: when a loop stops, a multi-instance is done, a conditional event fires."""
        for path in ("//bpmn:standardLoopCharacteristics/bpmn:loopCondition",
                     "//bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition",
                     "//bpmn:conditionalEventDefinition/bpmn:condition"):
            for condition in process.xpath("." + path, namespaces=NSMAP):
                owner = condition.getparent().getparent()
                self.check_condition(owner, condition.text or "", variables)
        for definition in _bpmn(process, ".//bpmn:conditionalEventDefinition"):
            if not _bpmn(definition, "./bpmn:condition"):
                self.add(definition.getparent(), "the conditional event has no condition")

    def check_camunda_habits(self, process: etree._Element) -> None:
        """Camunda 7 attributes vaern does not read: reported, so nobody trusts what is silently ignored."""
        for task in process.iter(f"{{{BPMN_NS}}}userTask"):
            for attribute, why in CAMUNDA_TASK_ATTRIBUTES.items():
                if task.get(f"{{{CAMUNDA_NS}}}{attribute}") is not None:
                    self.add(task, f"vaern does not read camunda:{attribute}: {why}", f"remove camunda:{attribute}")

    def check_lanes(self, process: etree._Element, nodes: dict) -> None:
        for lane in _bpmn(process, ".//bpmn:lane"):
            name = (lane.get("name") or "").strip()
            if name not in KNOWN_ROLES:
                self.add(lane, f"the lane name '{name}' is not a known role; use one of: "
                               f"{', '.join(sorted(KNOWN_ROLES))}", lane_hint(name))
        lanes = _lanes(process, nodes)
        for node_id, node in nodes.items():
            if _local(node) == "userTask" and node_id not in lanes:
                self.add(node, "the user task sits in no lane, so nobody can be assigned to it")

    def check_person_lanes(self, process: etree._Element, nodes: dict) -> None:
        """A task in a person's lane must not be reachable before a field (or the case's start) names that person."""
        lanes = _lanes(process, nodes)
        successors: dict[str, list[tuple[str, str]]] = {}
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            condition = _bpmn(flow, "./bpmn:conditionExpression")
            successors.setdefault(flow.get("sourceRef"), []).append(
                (flow.get("targetRef"), condition[0].text or "" if condition else ""))
        for node_id, node in nodes.items():
            if _local(node) == "boundaryEvent":
                successors.setdefault(node.get("attachedToRef"), []).append((node_id, ""))
            if _local(node) == "subProcess":
                for inner in _bpmn(node, "./bpmn:startEvent"):
                    successors.setdefault(node_id, []).append((inner.get("id"), ""))
        starts = [n for n in _bpmn(process, "./bpmn:startEvent")]
        known = (*PEOPLE_AT_START, *people_at_start(process))
        for role in sorted(r for r in set(lanes.values()) if r in PERSON_ROLES and f"{r}_id" not in known):
            variable = f"{role}_id"
            reached = self._reached_without(starts, successors, nodes, variable)
            for node_id in sorted(reached):
                node = nodes.get(node_id)
                if node is not None and _local(node) == "userTask" and lanes.get(node_id) == role \
                        and not _each_names(node, variable):
                    self.add(node, f"the task is in the lane '{role}', but the case can get here before any field "
                                   f"'{variable}' names that person (make it required on that branch, or check "
                                   f"defined(\"{variable}\") first)")

    @staticmethod
    def _reached_without(starts, successors, nodes, variable: str) -> set[str]:
        """Nodes reachable from the start without passing a task whose form sets `variable` or a
        condition that reads it."""
        def sets(node_id: str) -> bool:
            # Only a field that must be filled (always, or when its branch's answer is given) names someone.
            node = nodes.get(node_id)
            return node is not None and any(
                f.get("id") == variable and _bpmn(f, "./camunda:validation/camunda:constraint[@name='required'] | "
                                                     "./camunda:properties/camunda:property[@id='required_if']")
                for f in _bpmn(node, "./bpmn:extensionElements/camunda:formData/camunda:formField"))

        seen, stack = set(), [s.get("id") for s in starts]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            if sets(current):
                continue  # past this task the person is named
            for target, condition in successors.get(current, []):
                if condition and variable in names_read(condition):
                    continue
                stack.append(target)
        return seen

    def check_gateways(self, process: etree._Element, nodes: dict) -> None:
        outgoing: dict[str, list[etree._Element]] = {}
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
        for node_id, node in nodes.items():
            if _local(node) not in ("exclusiveGateway", "inclusiveGateway"):
                continue
            flows = outgoing.get(node_id, [])
            if len(flows) < 2:
                continue
            default = node.get("default")
            for flow in flows:
                if flow.get("id") != default and not _bpmn(flow, "./bpmn:conditionExpression"):
                    self.add(flow, f"the flow out of gateway '{node_id}' has no condition, and is not the gateway's default")

    def check_timers(self, process: etree._Element, settings: dict[str, str]) -> None:
        for timer in process.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
            event = timer.getparent()
            values = [c for c in timer if isinstance(c.tag, str) and _local(c) in ("timeDuration", "timeDate", "timeCycle")]
            if not values:
                self.add(event, "the timer has no duration, date or cycle")
            for value in values:
                kind = _local(value)
                text = (value.text or "").strip()
                if text in settings:
                    literal, source = settings[text].strip(), f"the setting '{text}' = {settings[text]!r}"
                elif is_iso_literal(text) or _LOOKS_ISO.match(text) or WORKING_DAYS.match(text):
                    literal, source = text, repr(text)
                else:
                    problem = check_expression(text)
                    if problem:
                        self.add(event, f"the timer expression {text!r} is not allowed: {problem}",
                                 expression_hint(text))
                    continue
                problem = _timer_literal_problem(kind, literal)
                if problem:
                    self.add(event, f"the timer's {kind} {source} is not valid: {problem}")

    def check_forms(self, process: etree._Element) -> None:
        for task in process.iter(f"{{{BPMN_NS}}}userTask"):
            for name in material_names(task):
                if not _IDENTIFIER.match(name):
                    self.add(task, f"the {MATERIAL} '{name}' must be the name of a case variable")
            seen: set[str] = set()
            for field in _bpmn(task, "./bpmn:extensionElements/camunda:formData/camunda:formField"):
                field_id = field.get("id") or ""
                if not _IDENTIFIER.match(field_id):
                    self.add(task, f"the form field id '{field_id}' must start with a letter and hold only letters, digits and '_'")
                if field_id in seen:
                    self.add(task, f"the form field '{field_id}' appears twice in this form")
                seen.add(field_id)
                field_type = field.get("type") or ""
                if field_type not in FORM_FIELD_TYPES:
                    self.add(task, f"the form field '{field_id}' has type '{field_type}'; use one of {', '.join(sorted(FORM_FIELD_TYPES))}")
                if field_type == "enum" and not _bpmn(field, "./camunda:value"):
                    self.add(task, f"the choice field '{field_id}' has no options")
                if not (field.get("label") or "").strip():
                    self.add(task, f"the form field '{field_id}' has no label")
                for prop in _bpmn(field, "./camunda:properties/camunda:property[@id='required_if']"):
                    problem = check_expression(prop.get("value") or "")
                    if problem:
                        self.add(task, f"the form field '{field_id}' has a required_if that is not allowed: {problem}")
                for constraint in _bpmn(field, "./camunda:validation/camunda:constraint[@name='min' or @name='max']"):
                    problem = check_expression(constraint.get("config") or "")
                    if field_type != "date":
                        self.add(task, f"the form field '{field_id}' has a {constraint.get('name')} limit; "
                                       "vaern reads limits only on date fields")
                    elif problem:
                        self.add(task, f"the form field '{field_id}' has a {constraint.get('name')} limit that is "
                                       f"not allowed: {problem}")

    def check_notices(self, process: etree._Element) -> None:
        for event in _bpmn(process, ".//bpmn:intermediateThrowEvent | .//bpmn:endEvent"):
            props = element_properties(event)
            if "notify" in props:
                for role in _split(props["notify"]):
                    if role not in KNOWN_ROLES:
                        self.add(event, f"the notice goes to '{role}', which is not a known role")
                if props.get("notice") not in NOTICE_KINDS:
                    self.add(event, f"the notice kind {props.get('notice')!r} must be one of {', '.join(sorted(NOTICE_KINDS))}")

    def check_multi_instance(self, process: etree._Element) -> None:
        for loop in process.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
            collection = loop.get(f"{{{CAMUNDA_NS}}}collection")
            if collection is not None and not _IDENTIFIER.match(collection):
                self.add(loop.getparent(), f"the multi-instance collection '{collection}' must be a variable name")

    def check_messages(self) -> None:
        for message in _bpmn(self.root, "./bpmn:message"):
            if not (message.get("name") or "").strip():
                self.add(message, "the message has no name, so it cannot be delivered")
        defined = {m.get("id") for m in _bpmn(self.root, "./bpmn:message")}
        for user in _bpmn(self.root, ".//bpmn:messageEventDefinition[@messageRef] | .//bpmn:receiveTask[@messageRef]"
                                     " | .//bpmn:sendTask[@messageRef]"):
            ref = user.get("messageRef")
            if ref not in defined:
                # SpiffWorkflow would stop at it with an AssertionError; the event is what the owner can fix.
                owner = user.getparent() if _local(user) == "messageEventDefinition" else user
                self.add(owner, f"the event waits for the message '{ref}', which the diagram does not define")

    def check_diagram_interchange(self) -> None:
        drawn = {e.get("bpmnElement") for e in self.root.iter(f"{{{BPMNDI_NS}}}BPMNShape", f"{{{BPMNDI_NS}}}BPMNEdge")}
        if not _bpmn(self.root, "./bpmndi:BPMNDiagram"):
            self.add(self.root, "the file has no diagram (BPMN DI), so a modeller cannot show it")
            return
        for process in _bpmn(self.root, "./bpmn:process"):
            for element in process.iter():
                if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
                    continue
                if _local(element) in FLOW_NODE_TAGS | {"sequenceFlow", "lane"} and element.get("id") not in drawn:
                    self.add(element, "the element has no shape or edge in the diagram (BPMN DI)")


def _lanes(process: etree._Element, nodes: dict) -> dict[str, str]:
    """Each flow node's lane name; a node inside an expanded sub-process takes the sub-process's lane, as
    SpiffWorkflow does (Camunda Modeler writes no lane references for nested nodes)."""
    direct = {}
    for lane in _bpmn(process, ".//bpmn:lane"):
        for ref in _bpmn(lane, "./bpmn:flowNodeRef"):
            direct[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    found = {}
    for node_id, node in nodes.items():
        current = node
        while current is not None and current is not process:
            lane = direct.get(current.get("id"))
            if lane is not None:
                found[node_id] = lane
                break
            current = current.getparent()
    return found


def _variables(process: etree._Element, settings: dict[str, str]) -> set[str]:
    """The names a case of the process can hold: its form fields, settings and what every case starts with."""
    fields = {f.get("id") for f in process.iter(f"{{{CAMUNDA_NS}}}formField")}
    loops = {loop.get(f"{{{CAMUNDA_NS}}}{attribute}")
             for loop in process.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics")
             for attribute in ("collection", "elementVariable")} - {None}
    return fields | loops | set(settings) | set(PEOPLE_AT_START) | set(people_at_start(process)) | \
        {"serious", "case_unit"}


def _split(text: str) -> Iterable[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _timer_literal_problem(kind: str, literal: str) -> str | None:
    if kind == "timeDuration" and WORKING_DAYS.match(literal):
        return None  # "2 arbejdsdage": counted in Danish working days when the timer starts
    try:
        if kind == "timeDuration":
            if not literal.upper().startswith("P"):
                return "a duration is written like P14D or PT12H"
            TimerEventDefinition.parse_iso_duration(literal)
        elif kind == "timeDate":
            if not re.search(r"T.*(Z|[+-]\d{2}:?\d{2})$", literal):
                return "a date-time needs a time and a UTC offset, like 2027-03-01T09:00:00+01:00"
            TimerEventDefinition.get_datetime(literal)
        else:
            if not literal.upper().startswith("R"):
                return "a cycle is written like R3/P1D"
            TimerEventDefinition.parse_iso_recurring_interval(literal)
    except Exception as exc:  # Spiff raises bare Exceptions and ValueErrors on bad literals
        return str(exc) or type(exc).__name__
    return None


def lint(tree: etree._ElementTree, filename: str, limits: TimerLimits | None = None) -> list[Problem]:
    """Every problem vaern's own rules find in a schema-valid diagram; with `limits`, also what a diagram
    to be deployed may ask of the engine (timers, loops, script)."""
    return _Linter(tree, filename, limits).run()


def _each_names(node: etree._Element, variable: str) -> bool:
    """Whether the task, or a sub-process around it, runs once per person: each instance is given one."""
    for element in (node, *node.iterancestors(f"{{{BPMN_NS}}}subProcess")):
        if any(loop.get(f"{{{CAMUNDA_NS}}}elementVariable") == variable
               for loop in _bpmn(element, "./bpmn:multiInstanceLoopCharacteristics")):
            return True
    return False
