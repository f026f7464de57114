"""Reading BPMN XML safely and checking it against the BPMN 2.0 schema."""
from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from engine.errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "camunda": CAMUNDA_NS, "xsi": XSI_NS}
# The prefixes a modeller shows, for messages that quote a parser's `{namespace}name`.
_PREFIXES = {**{uri: prefix for prefix, uri in NSMAP.items()}, "http://www.omg.org/spec/DD/20100524/DC": "dc",
             "http://www.omg.org/spec/DD/20100524/DI": "di"}
_QUALIFIED = re.compile(r"\{([^{}\s]*)\}([A-Za-z_][\w.-]*)")
_ELEMENT_REPR = re.compile(r"<Element (\S+) at 0x[0-9a-fA-F]+>")
_EXCEPTION_REPR = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\((['\"])(.*?)\1\)")

_XSD_PATH = Path(__import__("SpiffWorkflow").__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # No entities, no DTDs, no network, no huge trees: an uploaded diagram is hostile until shown otherwise.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_blank_text=False,
    )


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DECLARATION_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def as_utf8(data: bytes, filename: str, max_bytes: int) -> tuple[bytes | None, list[Problem]]:
    """The diagram as UTF-8, decoded with the encoding its XML declares (or its byte order mark shows).

    Real diagrams come as ISO-8859-1, windows-1252 or UTF-16 too. A UTF-8 file comes back byte for byte;
    any other is decoded, its declaration made to say UTF-8, and encoded again, so every check after this
    (the DOCTYPE check included, which a UTF-16 file would slip past) and the stored copy see one encoding.
    """
    if len(data) > max_bytes:
        return None, [Problem(filename, None, None,
                              f"the file is {len(data):,} bytes; diagrams may be at most {max_bytes:,} bytes")]
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        encoding = "utf-16-le" if data[0] == 0x3C else "utf-16-be"
    if encoding is None:
        declared = _DECLARED.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return None, [Problem(filename, 1, None, f"the file declares the encoding '{encoding}', which vaern cannot read; "
                                                 "save it as UTF-8")]
    if codec.name == "utf-8":
        return data, []
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1 if codec.name not in ("utf-16", "utf-32") else None
        return None, [Problem(filename, line, None, f"the file is not valid {encoding}: {exc.reason} at byte {exc.start}")]
    return _DECLARATION_ENCODING.sub(r"\g<1>UTF-8\g<3>", text.lstrip("\ufeff"), count=1).encode("utf-8"), []


def parse_xml(data: bytes, filename: str, max_bytes: int) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse diagram bytes, refusing oversize files, DTDs and entities; return the tree or the problems."""
    data, problems = as_utf8(data, filename, max_bytes)
    if data is None:
        return None, problems
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


def plain_parser_text(text: str) -> str:
    """A parser's message without Python reprs or full namespaces: `bpmn:task`, not `{http://…}task`."""
    text = _ELEMENT_REPR.sub(lambda m: m.group(1), text)
    text = _EXCEPTION_REPR.sub(lambda m: m.group(2), text)
    return _QUALIFIED.sub(lambda m: f"{_PREFIXES[m.group(1)]}:{m.group(2)}" if m.group(1) in _PREFIXES
                          else m.group(2), text)


def element_at(tree: etree._ElementTree, line: int | None) -> etree._Element | None:
    """The nearest element with an id at or around `line` (a parser names lines, a reader needs an element)."""
    if not line:
        return None
    for element in tree.getroot().iter():
        if isinstance(element.tag, str) and element.sourceline == line:
            while element is not None and element.get("id") is None:
                element = element.getparent()
            return element
    return None


def located(tree: etree._ElementTree, filename: str, line: int | None, message: str,
            element_id: str | None = None) -> Problem:
    """A parser's problem tied to its element: its id, name and line, from whichever of them the parser gave."""
    element = None
    if element_id:
        found = tree.getroot().xpath("//*[@id=$id]", id=element_id)
        element = found[0] if found else None
    element = element if element is not None else element_at(tree, line)
    if element is not None:
        element_id = element.get("id")
        line = line or element.sourceline
    name = (element.get("name") or "").strip() or None if element is not None else None
    return Problem(filename, line, element_id or None, message, name=name)


def schema_problems(tree: etree._ElementTree, filename: str) -> list[Problem]:
    """Every BPMN 2.0 XSD violation in the tree, not only the last one."""
    schema = _schema()
    if schema.validate(tree):
        return []
    return [located(tree, filename, entry.line, f"the BPMN 2.0 schema rejects this: {plain_parser_text(entry.message)}")
            for entry in schema.error_log]
