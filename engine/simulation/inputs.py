"""What a diagram expects of a case, read from the diagram alone: its start variables and their possible
values, its lanes, and the rules on its form fields. The simulation drives diagrams it has never seen
with these."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn.expressions import WORKING_DAYS, is_iso_literal
from engine.bpmn.lint import PEOPLE_AT_START, element_properties, people_at_start, process_settings
from engine.bpmn.xml import BPMN_NS, CAMUNDA_NS, NSMAP, parse_xml
from engine.org.roles import PERSON_ROLES

# Set by the engine, never by the start data: the case's unit, a message's payload, a committee's unit.
ENGINE_NAMES = frozenset({"case_unit", "message_data", "committee_unit"})
# The parties a case starts with when a lane needs them; another personnel leader is named by a form.
START_PARTIES = ("employee", "accused", "colleague", "reporter")
_DATE_FUNCTIONS = frozenset({"date_add", "deadline_after", "working_days_after"})
_CLOCK_FUNCTIONS = frozenset({"today", "now"})
# A value no condition names, so a gateway with a default flow takes that flow too.
OTHER = "other"


@dataclass(frozen=True)
class StartVariable:
    """A variable a case of the diagram starts with, and how to make a valid value for it."""

    name: str
    kind: str  # boolean | choice | number | person | moment | year | text
    choices: tuple = ()
    optional: bool = False  # read through defined(): some cases start without it


@dataclass(frozen=True)
class FieldRule:
    """A form field's conditional requirement and date limits, as expressions over the case and the form."""

    required_if: str | None = None
    min: str | None = None
    max: str | None = None


@dataclass(frozen=True)
class DiagramFacts:
    """What the simulation needs to know of a diagram before it runs a case of it."""

    kind: str
    lanes: frozenset[str]
    start: tuple[StartVariable, ...]
    rules: dict[tuple[str, str], FieldRule] = field(default_factory=dict)
    committee_collections: frozenset[str] = frozenset()
    committee_tasks: frozenset[str] = frozenset()  # user tasks with one instance per committee
    reads_serious: bool = False
    escalates: bool = False
    ends: dict[str, str] = field(default_factory=dict)  # the main process's end events: id -> name (a route's end)

    @property
    def escalates_every_case(self) -> bool:
        """A diagram with escalations that never asks whether a case is serious treats every case as one."""
        return self.escalates and not self.reads_serious


@dataclass
class _Usage:
    literals: list = field(default_factory=list)
    truth: bool = False
    arithmetic: bool = False
    moment: bool = False
    defined: bool = False
    gateways: list[bool] = field(default_factory=list)  # per condition reading it: has its gateway a default?


def read_facts(data: bytes, filename: str = "diagram.bpmn") -> DiagramFacts:
    """Infer a diagram's start variables, lanes and field rules from its XML."""
    tree, problems = parse_xml(data, filename, max(len(data), 1))
    if tree is None:
        raise ValueError("; ".join(p.message for p in problems))
    process = tree.getroot().xpath("./bpmn:process[@isExecutable='true']", namespaces=NSMAP)[0]
    settings = process_settings(process)
    usage: dict[str, _Usage] = {}
    defaults = {g.get("id"): bool(g.get("default")) for g in process.iter(f"{{{BPMN_NS}}}exclusiveGateway",
                                                                           f"{{{BPMN_NS}}}inclusiveGateway")}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None:
            _walk(condition.text, usage, gateway_default=defaults.get(flow.get("sourceRef"), False))
    for timer in process.xpath(".//bpmn:timerEventDefinition/*", namespaces=NSMAP):
        text = (timer.text or "").strip()
        if text not in settings and not is_iso_literal(text) and not WORKING_DAYS.match(text):
            _walk(text, usage)
    rules, set_by_forms = _field_rules(process, usage)
    loops = list(process.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"))
    collections = frozenset(c for c in (loop.get(f"{{{CAMUNDA_NS}}}collection") for loop in loops) if c)
    elements = {loop.get(f"{{{CAMUNDA_NS}}}elementVariable") for loop in loops}
    committee_tasks = frozenset(task for loop in loops for task in _user_tasks_of(loop.getparent()))
    lanes = frozenset((lane.get("name") or "").strip() for lane in process.iter(f"{{{BPMN_NS}}}lane"))
    given = set(settings) | ENGINE_NAMES | collections | elements | set_by_forms
    start = [_start_variable(name, use) for name, use in usage.items() if name not in given or name == "serious"]
    start += _parties(lanes, process, set_by_forms, usage, {v.name for v in start})
    notices = [element_properties(e) for e in process.iter() if isinstance(e.tag, str)]
    escalates = any(n.get("notice") == "escalated" for n in notices if "notify" in n)
    return DiagramFacts(kind=process.get("id"), lanes=lanes, start=tuple(start), rules=rules,
                        committee_collections=collections, committee_tasks=committee_tasks,
                        reads_serious="serious" in usage, escalates=escalates,
                        ends=_route_ends(process))


def _route_ends(process: etree._Element) -> dict[str, str]:
    """The end events a case's route closes at (id -> name): not those of a side branch that a non-interrupting
    boundary event starts (a reminder's "Påmindelse sendt"), which many cases pass on their way."""
    sources: dict[str, list[str]] = {}
    for flow in process.iterfind("bpmn:sequenceFlow", NSMAP):
        sources.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
    nodes = {n.get("id"): n for n in process if isinstance(n.tag, str) and n.get("id")}

    def side_branch(node_id: str) -> bool:
        seen, stack = set(), [node_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            node = nodes.get(current)
            if node is None:
                continue
            if etree.QName(node).localname == "boundaryEvent":
                if node.get("cancelActivity") != "false":
                    return False
                continue  # this path starts at a non-interrupting event
            preceding = sources.get(current, [])
            if not preceding:
                return False  # a path from a start: the case's own route
            stack.extend(preceding)
        return True

    return {e.get("id"): (e.get("name") or e.get("id")).strip()
            for e in process.iterfind("bpmn:endEvent", NSMAP) if not side_branch(e.get("id"))}


def _user_tasks_of(element: etree._Element) -> list[str]:
    """The ids of an element's user tasks: itself if it is one, or those inside it (a subprocess)."""
    if etree.QName(element).localname == "userTask":
        return [element.get("id")]
    return [task.get("id") for task in element.iter(f"{{{BPMN_NS}}}userTask")]


def _field_rules(process: etree._Element, usage: dict[str, _Usage]) -> tuple[dict, set[str]]:
    """Each form field's rule (keyed by task id and field id), and every variable a form sets."""
    rules: dict[tuple[str, str], FieldRule] = {}
    set_by_forms: set[str] = set()
    for task in process.iter(f"{{{BPMN_NS}}}userTask"):
        for form_field in task.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField",
                                     namespaces=NSMAP):
            field_id = form_field.get("id") or ""
            set_by_forms.add(field_id)
            properties = {p.get("id") or p.get("name"): p.get("value") for p in
                          form_field.xpath("./camunda:properties/camunda:property", namespaces=NSMAP)}
            limits = {c.get("name"): (c.get("config") or "").strip() or None for c in
                      form_field.xpath("./camunda:validation/camunda:constraint", namespaces=NSMAP)}
            required_if = (properties.get("required_if") or "").strip() or None
            rule = FieldRule(required_if, limits.get("min"), limits.get("max"))
            for expression in (rule.required_if, rule.min, rule.max):
                _walk(expression, usage)
            for limit in (rule.min, rule.max):
                if limit and limit.isidentifier():
                    usage.setdefault(limit, _Usage()).moment = True  # a date limit given by a variable is a date
            if rule != FieldRule():
                rules[(task.get("id"), field_id)] = rule
    # A loop over people (one instance per witness) names each of them itself.
    for loop in process.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        element_variable = loop.get(f"{{{CAMUNDA_NS}}}elementVariable")
        if element_variable:
            set_by_forms.add(element_variable)
    return rules, set_by_forms


def _parties(lanes, process, set_by_forms, usage, already) -> list[StartVariable]:
    """The people a case starts with: those its person lanes need that no form names, and those it declares."""
    declared = list(people_at_start(process))
    wanted = [f"{role}_id" for role in START_PARTIES if role in lanes and f"{role}_id" not in set_by_forms]
    if lanes & PERSON_ROLES:
        wanted += list(PEOPLE_AT_START)  # every case with parties knows who it happened to and who reported it
    names = [n for n in dict.fromkeys([*wanted, *declared]) if n and n not in already]
    return [StartVariable(name, "person", optional=name in usage and usage[name].defined and name not in declared)
            for name in names]


def _start_variable(name: str, use: _Usage) -> StartVariable:
    """How to make a value for a start variable from how the diagram reads it."""
    literals = list(dict.fromkeys(use.literals))
    if any(isinstance(v, bool) for v in literals) or (use.truth and not literals):
        return StartVariable(name, "boolean", (True, False), use.defined)
    strings = [v for v in literals if isinstance(v, str)]
    if strings:
        # Only where every gateway reading it has a default is "none of these" a route the diagram expects.
        other = (OTHER,) if use.gateways and all(use.gateways) and OTHER not in strings else ()
        return StartVariable(name, "choice", tuple(strings) + other, use.defined)
    numbers = sorted({n + d for n in literals if isinstance(n, (int, float)) for d in (-1, 0, 1) if n + d >= 0})
    if numbers:
        return StartVariable(name, "number", tuple(numbers), use.defined)
    if use.moment:
        return StartVariable(name, "moment", (), use.defined)
    if name == "year":
        return StartVariable(name, "year", (), use.defined)  # the annual cycle's: the year the case starts in
    if use.arithmetic:
        return StartVariable(name, "number", (1, 2, 3), use.defined)
    if name.endswith("_id"):
        return StartVariable(name, "person", (), use.defined)
    return StartVariable(name, "text", (), use.defined)


def _walk(expression: str | None, usage: dict[str, _Usage], gateway_default: bool | None = None) -> None:
    """Note every variable an expression reads, and the literals and functions it meets them with."""
    try:
        tree = ast.parse((expression or "").strip(), mode="eval")
    except SyntaxError:
        return
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    read: set[str] = set()

    def use(name: str) -> _Usage:
        read.add(name)
        return usage.setdefault(name, _Usage())

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called:
            use(node.id)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for left, right in zip(operands, operands[1:]):
                for name, other in ((left, right), (right, left)):
                    if isinstance(name, ast.Name):
                        _compared(use(name.id), other)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = node.args
            if node.func.id == "defined" and args and isinstance(args[0], ast.Constant) \
                    and isinstance(args[0].value, str):
                use(args[0].value).defined = True
            elif node.func.id in _DATE_FUNCTIONS and args and isinstance(args[0], ast.Name):
                use(args[0].id).moment = True
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                if isinstance(value, ast.Name):
                    use(value.id).truth = True
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Name):
            use(node.operand.id).truth = True
        elif isinstance(node, ast.BinOp):
            for operand in (node.left, node.right):
                if isinstance(operand, ast.Name):
                    use(operand.id).arithmetic = True
    if isinstance(tree.body, ast.Name) and gateway_default is not None:
        use(tree.body.id).truth = True  # a condition that is just a name reads it as yes or no
    if gateway_default is not None:
        for name in read:
            usage[name].gateways.append(gateway_default)


def _compared(use: _Usage, other: ast.AST) -> None:
    if isinstance(other, ast.Constant) and other.value is not None:
        use.literals.append(other.value)
    elif isinstance(other, (ast.List, ast.Tuple, ast.Set)):
        use.literals.extend(e.value for e in other.elts if isinstance(e, ast.Constant) and e.value is not None)
    elif isinstance(other, ast.Call) and isinstance(other.func, ast.Name) \
            and other.func.id in _CLOCK_FUNCTIONS | _DATE_FUNCTIONS:
        use.moment = True
