"""What changed between two versions of a diagram, in the terms a process owner edits: tasks, lanes,
form fields, timers (with the `setting.*` values they read), settings, gateways and their conditions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn.lint import process_settings
from engine.bpmn.xml import BPMN_NS, NSMAP, parse_xml
from engine.errors import DefinitionError

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
TASK_TAGS = frozenset({"task", "userTask", "manualTask", "sendTask", "receiveTask", "subProcess", "callActivity",
                       "scriptTask", "serviceTask", "businessRuleTask"})
GATEWAY_TAGS = frozenset({"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                          "complexGateway"})
EVENT_TAGS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")


@dataclass(frozen=True)
class Change:
    """One difference: what kind of element, which one, and its value before and after."""

    change: str          # added, removed or changed
    category: str        # task, lane, form_field, timer, setting, gateway, condition, event, flow, process
    element_id: str
    name: str
    detail: str          # which aspect changed (e.g. "label", "duration"); empty for added/removed
    before: str | None
    after: str | None

    def __str__(self) -> str:
        what = f"{self.category} {self.element_id}" + (f" ({self.name})" if self.name else "")
        if self.change == CHANGED:
            return f"changed {what}: {self.detail} {self.before!r} -> {self.after!r}"
        value = self.after if self.change == ADDED else self.before
        return f"{self.change} {what}" + (f": {value}" if value else "")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _text(element: etree._Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _field_summary(field: etree._Element) -> dict[str, str]:
    options = ", ".join(f"{v.get('id')}={v.get('name')}" for v in field.xpath("./camunda:value", namespaces=NSMAP))
    required = bool(field.xpath("./camunda:validation/camunda:constraint[@name='required']", namespaces=NSMAP))
    summary = {"label": field.get("label") or "", "type": field.get("type") or "",
               "required": "yes" if required else "no"}
    if options:
        summary["options"] = options
    if field.get("defaultValue"):
        summary["default"] = field.get("defaultValue") or ""
    return summary


def _describe(summary: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in summary.items() if v)


class _Model:
    """The parts of one diagram's executable process that a process owner changes."""

    def __init__(self, tree: etree._ElementTree):
        root = tree.getroot()
        found = root.xpath("./bpmn:process[@isExecutable='true']", namespaces=NSMAP)
        self.process = found[0] if found else None
        self.settings: dict[str, str] = {}
        self.elements: dict[str, dict[str, Any]] = {}
        self.fields: dict[tuple[str, str], dict[str, str]] = {}
        self.lanes: dict[str, dict[str, str]] = {}
        self.flows: dict[str, dict[str, str]] = {}
        self.name = self.process.get("name") or "" if self.process is not None else ""
        if self.process is None:
            return
        self.settings = process_settings(self.process)
        lane_of = {}
        for lane in self.process.iter(f"{{{BPMN_NS}}}lane"):
            self.lanes[lane.get("id")] = {"name": lane.get("name") or ""}
            for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NSMAP):
                lane_of[_text(ref)] = lane.get("name") or ""
        for element in self.process.iter():
            if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
                continue
            tag = _local(element)
            element_id = element.get("id")
            if tag == "sequenceFlow":
                self.flows[element_id] = {
                    "name": element.get("name") or "", "source": element.get("sourceRef") or "",
                    "target": element.get("targetRef") or "",
                    "condition": _text(element.find(f"{{{BPMN_NS}}}conditionExpression")),
                }
            elif tag in TASK_TAGS | GATEWAY_TAGS | EVENT_TAGS:
                self.elements[element_id] = {
                    "tag": tag, "name": element.get("name") or "", "lane": lane_of.get(element_id, ""),
                    "documentation": _text(element.find(f"{{{BPMN_NS}}}documentation")),
                    "default": element.get("default") or "", "attached_to": element.get("attachedToRef") or "",
                    "interrupting": element.get("cancelActivity") or "true",
                    "timer": self._timer(element),
                }
                for field in element.xpath("./bpmn:extensionElements/camunda:formData/camunda:formField",
                                           namespaces=NSMAP):
                    self.fields[(element_id, field.get("id") or "")] = _field_summary(field)

    def _timer(self, event: etree._Element) -> tuple[str, str] | None:
        definition = event.find(f"{{{BPMN_NS}}}timerEventDefinition")
        if definition is None:
            return None
        for child in definition:
            if isinstance(child.tag, str) and _local(child) in TIMER_KINDS:
                return _local(child), _text(child)
        return "", ""

    def timer_value(self, element_id: str) -> str:
        """A timer as the modeller reads it: its expression, and the setting's value when it names one."""
        kind, expression = self.elements[element_id]["timer"]
        if expression in self.settings:
            return f"{expression} = {self.settings[expression]}"
        return expression


def _model(xml: str | bytes, label: str, max_bytes: int) -> _Model:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    tree, problems = parse_xml(data, label, max(max_bytes, len(data)))
    if tree is None:
        raise DefinitionError(problems)
    return _Model(tree)


def _category(element: dict[str, Any]) -> str:
    if element["timer"] is not None:
        return "timer"
    if element["tag"] in GATEWAY_TAGS:
        return "gateway"
    if element["tag"] in TASK_TAGS:
        return "task"
    return "event"


def diff_xml(old: str | bytes, new: str | bytes, max_bytes: int = 5 * 1024 * 1024) -> list[Change]:
    """Every change from the diagram `old` to `new`, ordered by category and element id."""
    before, after = _model(old, "old.bpmn", max_bytes), _model(new, "new.bpmn", max_bytes)
    changes: list[Change] = []
    add = changes.append
    if before.name != after.name:
        add(Change(CHANGED, "process", after.process.get("id") if after.process is not None else "", after.name,
                   "name", before.name, after.name))

    for name in sorted(set(before.settings) | set(after.settings)):
        old_value, new_value = before.settings.get(name), after.settings.get(name)
        if old_value != new_value:
            kind = ADDED if old_value is None else REMOVED if new_value is None else CHANGED
            add(Change(kind, "setting", f"setting.{name}", "", "value" if kind == CHANGED else "", old_value, new_value))

    for lane_id in sorted(set(before.lanes) | set(after.lanes)):
        old_lane, new_lane = before.lanes.get(lane_id), after.lanes.get(lane_id)
        if old_lane is None:
            add(Change(ADDED, "lane", lane_id, new_lane["name"], "", None, f"role {new_lane['name']}"))
        elif new_lane is None:
            add(Change(REMOVED, "lane", lane_id, old_lane["name"], "", f"role {old_lane['name']}", None))
        elif old_lane["name"] != new_lane["name"]:
            add(Change(CHANGED, "lane", lane_id, new_lane["name"], "role", old_lane["name"], new_lane["name"]))

    for element_id in sorted(set(before.elements) | set(after.elements)):
        old_el, new_el = before.elements.get(element_id), after.elements.get(element_id)
        if old_el is None or new_el is None:
            present, model = (new_el, after) if old_el is None else (old_el, before)
            category = _category(present)
            summary = present["tag"] + (f" in lane {present['lane']}" if present["lane"] else "")
            if category == "timer":
                summary = f"{present['timer'][0]} {model.timer_value(element_id)}"
            kind = ADDED if old_el is None else REMOVED
            add(Change(kind, category, element_id, present["name"], "",
                       summary if kind == REMOVED else None, summary if kind == ADDED else None))
            continue
        category = _category(new_el)
        for aspect in ("tag", "name", "lane", "documentation", "default", "attached_to", "interrupting"):
            if old_el[aspect] != new_el[aspect]:
                label = {"tag": "type", "attached_to": "attached to", "default": "default flow"}.get(aspect, aspect)
                add(Change(CHANGED, category, element_id, new_el["name"], label, old_el[aspect], new_el[aspect]))
        if old_el["timer"] is not None and new_el["timer"] is not None:
            old_value, new_value = before.timer_value(element_id), after.timer_value(element_id)
            if old_el["timer"][0] != new_el["timer"][0]:
                add(Change(CHANGED, "timer", element_id, new_el["name"], "timer type",
                           f"{old_el['timer'][0]} {old_value}", f"{new_el['timer'][0]} {new_value}"))
            elif old_value != new_value:
                add(Change(CHANGED, "timer", element_id, new_el["name"], new_el["timer"][0] or "timer",
                           old_value, new_value))

    for key in sorted(set(before.fields) | set(after.fields)):
        task_id, field_id = key
        old_field, new_field = before.fields.get(key), after.fields.get(key)
        element_id = f"{task_id}.{field_id}"
        task_name = (after.elements.get(task_id) or before.elements.get(task_id) or {}).get("name", "")
        if old_field is None:
            add(Change(ADDED, "form_field", element_id, task_name, "", None, _describe(new_field)))
        elif new_field is None:
            add(Change(REMOVED, "form_field", element_id, task_name, "", _describe(old_field), None))
        else:
            for aspect in sorted(set(old_field) | set(new_field)):
                if old_field.get(aspect) != new_field.get(aspect):
                    add(Change(CHANGED, "form_field", element_id, task_name, aspect, old_field.get(aspect),
                               new_field.get(aspect)))

    for flow_id in sorted(set(before.flows) | set(after.flows)):
        old_flow, new_flow = before.flows.get(flow_id), after.flows.get(flow_id)
        if old_flow is None or new_flow is None:
            present = new_flow or old_flow
            route = f"{present['source']} -> {present['target']}" + (
                f" if {present['condition']}" if present["condition"] else "")
            kind = ADDED if old_flow is None else REMOVED
            category = "condition" if present["condition"] else "flow"
            add(Change(kind, category, flow_id, present["name"], "", route if kind == REMOVED else None,
                       route if kind == ADDED else None))
            continue
        if old_flow["condition"] != new_flow["condition"]:
            add(Change(CHANGED, "condition", flow_id, new_flow["name"], "condition",
                       old_flow["condition"] or None, new_flow["condition"] or None))
        for aspect in ("source", "target"):
            if old_flow[aspect] != new_flow[aspect]:
                add(Change(CHANGED, "flow", flow_id, new_flow["name"], aspect, old_flow[aspect], new_flow[aspect]))

    order = {c: i for i, c in enumerate(("process", "setting", "lane", "task", "form_field", "timer", "gateway",
                                         "condition", "event", "flow"))}
    return sorted(changes, key=lambda c: (order.get(c.category, 99), c.element_id, c.detail))
