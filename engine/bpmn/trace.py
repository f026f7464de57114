"""Traceability: which diagram elements implement which requirement of the guideline.

A requirement tag counts as implemented only on an element that does something when a case runs: a
user task with a form, a gateway with conditions (or a conditional flow), a timer, a notice, a
message catch. A tag on a lane, a plain flow, a start or end event or the process is documentation:
the requirement is then only on paper.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.bpmn.lint import element_properties
from engine.bpmn.xml import NSMAP

_REQUIREMENT = re.compile(r"\*\*([A-Z]+-[A-Z0-9]+)[\s*]")
_TAG = re.compile(r"\[([A-Z]+-[A-Z0-9]+)\]")
_OUT_OF_SCOPE = re.compile(r"^\s*[-*]\s*\*\*([A-Z]+-[A-Z0-9]+)\*\*\s*[:—-]\s*(.+)$")
_BPMN = NSMAP["bpmn"]
_EVENTS = frozenset({"startEvent", "boundaryEvent", "intermediateCatchEvent", "intermediateThrowEvent", "endEvent"})
_CATCHING = frozenset({"startEvent", "boundaryEvent", "intermediateCatchEvent"})


@dataclass(frozen=True)
class TracedElement:
    """One diagram element naming a requirement in its documentation, and whether it acts at run time."""

    file: str
    element_id: str
    name: str
    what: str
    acts: bool


@dataclass(frozen=True)
class TraceReport:
    """Every requirement sorted by how it is traced: implemented, out of scope, only on paper, missing."""

    ids: list[str]
    implemented: dict[str, list[TracedElement]]
    out_of_scope: dict[str, str]
    on_paper: dict[str, list[TracedElement]]
    missing: list[str]
    unknown: list[str]

    @property
    def unexplained(self) -> list[str]:
        """Requirements neither implemented by an acting element nor decided out of scope."""
        return [r for r in self.ids if r in self.on_paper or r in self.missing]


def requirement_ids(requirements_md: Path) -> list[str]:
    """Every requirement ID defined (in bold) in the requirements document, in order."""
    seen: dict[str, None] = {}
    for match in _REQUIREMENT.finditer(requirements_md.read_text(encoding="utf-8")):
        seen.setdefault(match.group(1), None)
    return list(seen)


def out_of_scope(path: Path) -> dict[str, str]:
    """Requirement IDs decided not to be modelled, with the reason (`- **ID**: reason` lines)."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _OUT_OF_SCOPE.match(line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def traced_elements(diagrams: list[Path]) -> dict[str, list[TracedElement]]:
    """Requirement ID → every element whose documentation tags it (acting or not), across the diagrams."""
    matrix: dict[str, list[TracedElement]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in diagrams:
        root = etree.parse(str(path), parser).getroot()
        conditional_sources = {flow.get("sourceRef") for flow in root.iter(f"{{{_BPMN}}}sequenceFlow")
                               if flow.find(f"{{{_BPMN}}}conditionExpression") is not None}
        for doc in root.iter(f"{{{_BPMN}}}documentation"):
            element = doc.getparent()
            what, acts = classify(element, conditional_sources)
            for requirement in dict.fromkeys(_TAG.findall(doc.text or "")):
                matrix.setdefault(requirement, []).append(
                    TracedElement(path.name, element.get("id") or "?", element.get("name") or "", what, acts))
    return matrix


def classify(element: etree._Element, conditional_sources: set[str]) -> tuple[str, bool]:
    """What an element is, in words, and whether it does something when a case runs."""
    local = etree.QName(element).localname
    if local == "userTask":
        has_form = element.find("./bpmn:extensionElements/camunda:formData/camunda:formField", NSMAP) is not None
        return ("user task with a form", True) if has_form else ("user task without a form", False)
    if local in ("exclusiveGateway", "inclusiveGateway"):
        if element.get("id") in conditional_sources:
            return "gateway with conditions", True
        return "gateway without conditions", False
    if local == "sequenceFlow":
        if element.find(f"{{{_BPMN}}}conditionExpression") is not None:
            return "conditional flow", True
        return "sequence flow", False
    if local in _EVENTS:
        if element.find(f"{{{_BPMN}}}timerEventDefinition") is not None:
            return "timer", True
        if local in _CATCHING and element.find(f"{{{_BPMN}}}messageEventDefinition") is not None:
            return "message catch", True
        if local in ("intermediateThrowEvent", "endEvent") and "notify" in element_properties(element):
            return "notice", True
    return _WORDS.get(local, re.sub(r"(?<!^)([A-Z])", r" \1", local).lower()), False


_WORDS = {"process": "process", "participant": "pool", "lane": "lane", "startEvent": "start event",
          "endEvent": "end event", "intermediateThrowEvent": "throw event without a notice"}


def trace_report(ids: list[str], matrix: dict[str, list[TracedElement]], excluded: dict[str, str]) -> TraceReport:
    """Sort each requirement by its strongest trace: an acting element, an out-of-scope decision, paper, nothing."""
    implemented, scoped, on_paper, missing = {}, {}, {}, []
    for requirement in ids:
        elements = matrix.get(requirement, [])
        acting = [e for e in elements if e.acts]
        if acting:
            implemented[requirement] = acting
        elif requirement in excluded:
            scoped[requirement] = excluded[requirement]
        elif elements:
            on_paper[requirement] = elements
        else:
            missing.append(requirement)
    unknown = sorted(set(matrix) - set(ids))
    return TraceReport(ids, implemented, scoped, on_paper, missing, unknown)
