"""Traceability: which diagram elements implement which requirement of the guideline."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .bpmn_xml import NSMAP

_REQUIREMENT = re.compile(r"\*\*([A-Z]+-[A-Z0-9]+)[\s*]")
_TAG = re.compile(r"\[([A-Z]+-[A-Z0-9]+)\]")
_OUT_OF_SCOPE = re.compile(r"^\s*[-*]\s*\*\*([A-Z]+-[A-Z0-9]+)\*\*\s*[:—-]\s*(.+)$")


@dataclass(frozen=True)
class TracedElement:
    """One diagram element naming a requirement in its documentation."""

    file: str
    element_id: str
    name: str


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
    """Requirement ID → the elements whose documentation tags it, across the diagrams."""
    matrix: dict[str, list[TracedElement]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in diagrams:
        root = etree.parse(str(path), parser).getroot()
        for doc in root.iter(f"{{{NSMAP['bpmn']}}}documentation"):
            element = doc.getparent()
            for requirement in dict.fromkeys(_TAG.findall(doc.text or "")):
                matrix.setdefault(requirement, []).append(
                    TracedElement(path.name, element.get("id") or "?", element.get("name") or ""))
    return matrix
