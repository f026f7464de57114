"""Reading BPMN XML safely and checking it against the BPMN 2.0 schema."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "camunda": CAMUNDA_NS, "xsi": XSI_NS}

_XSD_PATH = Path(__import__("SpiffWorkflow").__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # No entities, no DTDs, no network, no huge trees: an uploaded diagram is hostile until shown otherwise.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_blank_text=False,
    )


def parse_xml(data: bytes, filename: str, max_bytes: int) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse diagram bytes, refusing oversize files, DTDs and entities; return the tree or the problems."""
    if len(data) > max_bytes:
        return None, [Problem(filename, None, None,
                              f"the file is {len(data):,} bytes; diagrams may be at most {max_bytes:,} bytes")]
    if _DOCTYPE.search(data):
        return None, [Problem(filename, None, None,
                              "the file declares a DOCTYPE or ENTITY; diagrams may not (protects against XXE and "
                              "entity expansion)")]
    parser = _parser()
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as exc:
        problems = [Problem(filename, entry.line, None, f"the file is not well-formed XML: {entry.message}")
                    for entry in exc.error_log] or [Problem(filename, exc.lineno, None, f"not well-formed XML: {exc}")]
        return None, problems
    return tree, []


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_XSD_PATH)))


def schema_problems(tree: etree._ElementTree, filename: str) -> list[Problem]:
    """Every BPMN 2.0 XSD violation in the tree, not only the last one."""
    schema = _schema()
    if schema.validate(tree):
        return []
    return [Problem(filename, entry.line, None, f"the BPMN 2.0 schema rejects this: {entry.message}")
            for entry in schema.error_log]
