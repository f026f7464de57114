"""Reading, validating and parsing diagrams into SpiffWorkflow specs, cached by content hash."""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.forms import FormField, form_fields
from engine.bpmn.limits import TimerLimits
from engine.bpmn.lint import element_properties, lint, material_names, people_at_start, process_settings
from engine.bpmn.xml import NSMAP, as_utf8, located, parse_xml, plain_parser_text, schema_problems
from engine.errors import DefinitionError, Problem


@dataclass
class ParsedDefinition:
    """A validated diagram: its case kind, Danish name, settings and the executable spec."""

    kind: str
    name: str
    xml: str
    content_hash: str
    filename: str
    settings: dict[str, str]
    spec: object
    subprocess_specs: dict
    notices: dict[str, dict[str, str]] = field(default_factory=dict)
    timer_expressions: frozenset[str] = frozenset()
    timer_limits: TimerLimits = field(default_factory=TimerLimits)  # guards timer values while cases run
    # Person variables every case must start with (the report form's; `case_starts_with` adds more).
    starts_with: tuple[str, ...] = ()
    # User task id -> the case variables its page shows the person (a hearing's material).
    task_material: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Tag -> element id -> its camunda:properties, read from the XML the first time a tag is asked for.
    _properties: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, repr=False, compare=False)

    def properties_of(self, tag: str) -> dict[str, dict[str, str]]:
        """The camunda:properties of every `tag` element (e.g. "endEvent"), by element id; the XML is read once."""
        found = self._properties.get(tag)
        if found is None:
            data = self.xml.encode("utf-8")
            tree, _problems = parse_xml(data, self.filename, len(data))  # validated when it was deployed
            found = {element.get("id"): element_properties(element)
                     for element in tree.getroot().iterfind(f".//bpmn:{tag}", NSMAP)}
            self._properties[tag] = found
        return found

    def fields(self) -> dict[str, FormField]:
        """Every form field of the main process by id (the first task that asks it), with its options."""
        found: dict[str, FormField] = {}
        for task_spec in self.spec.task_specs.values():
            for form_field in form_fields(task_spec):
                found.setdefault(form_field.id, form_field)
        return found

    def task_fields(self) -> dict[str, tuple[str, ...]]:
        """Which form fields each user task of the main process asks: element id -> field ids."""
        asked = {spec.bpmn_id: tuple(f.id for f in form_fields(spec)) for spec in self.spec.task_specs.values()}
        return {element: ids for element, ids in asked.items() if ids}

    def task_form(self, element_id: str) -> tuple[tuple[FormField, ...], str | None]:
        """A user task's form fields and instructions as the diagram defines them (none for an unknown element)."""
        for process in (self.spec, *self.subprocess_specs.values()):
            for spec in process.task_specs.values():
                if spec.bpmn_id == element_id and spec.manual:
                    return tuple(form_fields(spec)), spec.documentation
        return (), None

    def loop_collections(self) -> list[str]:
        """The collections the main process's multi-instance tasks run over (e.g. `lmu_units`)."""
        found = []
        for task_spec in self.spec.task_specs.values():
            collection = getattr(getattr(task_spec, "data_output", None), "bpmn_id", None) or \
                getattr(task_spec, "cardinality", None)
            if isinstance(collection, str):
                found.append(collection)
        return found


def content_hash(data: bytes) -> str:
    """SHA-256 of a diagram's bytes: the identity of a deployed version."""
    return hashlib.sha256(data).hexdigest()


def validate(data: bytes, filename: str, max_bytes: int, limits: TimerLimits | None = None,
             deployed: bool = False) -> ParsedDefinition:
    """Check a diagram fully and parse it; raise DefinitionError listing every problem found.

    The diagram is kept as UTF-8 whatever encoding its XML declares (its hash is of those bytes). A version
    that is already `deployed` is not held to the checks of what a new version may ask (lint_policy).
    """
    limits = limits or TimerLimits()
    data, problems = as_utf8(data, filename, max_bytes)
    if data is None:
        raise DefinitionError(problems)
    tree, problems = parse_xml(data, filename, max_bytes)
    if tree is None:
        raise DefinitionError(problems)
    problems = schema_problems(tree, filename)
    problems += lint(tree, filename, None if deployed else limits)
    if problems:
        raise DefinitionError(problems)
    parsed = _parse(tree, data, filename)
    parsed.timer_limits = limits
    return parsed


def check_files(paths: list[Path], max_bytes: int, limits: TimerLimits | None = None) -> list[Problem]:
    """Validate files from disk and return all their problems (empty when all are fine)."""
    problems: list[Problem] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), None, None, f"cannot read the file: {exc.strerror}"))
            continue
        try:
            validate(data, str(path), max_bytes, limits)
        except DefinitionError as exc:
            problems.extend(exc.problems)
    return problems


def _parse(tree: etree._ElementTree, data: bytes, filename: str) -> ParsedDefinition:
    root = tree.getroot()
    process = root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NSMAP)[0]
    kind = process.get("id")
    parser = CamundaParser()
    try:
        parser.add_bpmn_xml(tree, filename)
        spec = parser.get_spec(kind)
        subprocess_specs = parser.get_subprocess_specs(kind)
    except ValidationException as exc:
        # SpiffWorkflow reads `line_number`, which lxml does not set: the line comes from the element's id.
        raise DefinitionError([located(tree, filename, exc.line_number or None, "the workflow engine cannot read the "
                                       f"diagram: {plain_parser_text(str(exc.args[0]))}", exc.id or None)]) from exc
    except SpiffWorkflowException as exc:
        raise DefinitionError([located(tree, filename, None, "the workflow engine cannot read the diagram: "
                                                             f"{plain_parser_text(str(exc))}")]) from exc
    for each in (spec, *subprocess_specs.values()):
        _wire_loops(each)
    notices = {}
    for event in process.iter():
        if isinstance(event.tag, str) and event.get("id"):
            props = element_properties(event)
            if "notify" in props:
                notices[event.get("id")] = props
    task_material = {task.get("id"): material_names(task) for task in process.iter(f"{{{NSMAP['bpmn']}}}userTask")
                     if material_names(task)}
    timer_expressions = frozenset(
        (value.text or "").strip() for value in process.xpath(
            ".//bpmn:timerEventDefinition/*", namespaces=NSMAP) if isinstance(value.tag, str))
    return ParsedDefinition(
        kind=kind,
        name=process.get("name") or kind,
        xml=data.decode("utf-8"),
        content_hash=content_hash(data),
        filename=filename,
        settings=process_settings(process),
        spec=spec,
        subprocess_specs=subprocess_specs,
        notices=notices,
        timer_expressions=timer_expressions,
        starts_with=people_at_start(process),
        task_material=task_material,
    )


def _wire_loops(spec) -> None:
    """Tell every multi-instance or loop task when one of its instances completes, from the moment it is parsed.

    SpiffWorkflow connects an instance's completion to its parent only when it creates the instances, on
    the spec it shares between workflows. A process that did not start the case (another web worker, the
    scheduler, any process after a restart) would complete every instance and never move on.
    """
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            instance = spec.task_specs[task_spec.task_spec]
            if not instance.completed_event.is_connected(task_spec.merge_child):
                instance.completed_event.connect(task_spec.merge_child)


class SpecCache:
    """Parsed definitions by content hash, so a case load never re-parses its diagram."""

    def __init__(self, max_bytes: int, limits: TimerLimits | None = None):
        self._max_bytes = max_bytes
        self._limits = limits
        self._by_hash: dict[str, ParsedDefinition] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, xml: str | Callable[[], str], filename: str) -> ParsedDefinition:
        """The parsed definition for a stored version, parsing it the first time it is asked for."""
        with self._lock:
            found = self._by_hash.get(digest)
        if found is None:
            data = (xml() if callable(xml) else xml).encode("utf-8")
            found = validate(data, filename, max(self._max_bytes, len(data)), self._limits, deployed=True)
            with self._lock:
                self._by_hash[digest] = found
        return found

    def put(self, parsed: ParsedDefinition) -> None:
        """Remember a definition just validated for deployment."""
        with self._lock:
            self._by_hash[parsed.content_hash] = parsed
