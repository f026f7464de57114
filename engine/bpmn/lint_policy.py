"""Checks of what a diagram may ask of the engine, applied when it is checked or deployed.

Each of these once got past `vaern check` and then hung or broke a running service: a timer that waits
99,999,999 years, a cycle that repeats every second (or every zero seconds), a loop of automatic steps
that SpiffWorkflow runs about 500 times before it calls the case closed, and script in a dialect the
other checks did not know (spiffworkflow:preScript). A version that is already deployed is not checked
again when it is loaded, so tightening a limit never strands a running case; the engine's runtime
guards (timer_guard, bounded_eval) still hold for it.
"""
from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from engine.bpmn.expressions import WORKING_DAYS, is_iso_literal
from engine.bpmn.limits import TimerLimits
from engine.bpmn.xml import BPMN_NS, CAMUNDA_NS, NSMAP

_SCRIPT = re.compile("script", re.IGNORECASE)
_WAITING_TAGS = frozenset({"userTask", "manualTask", "receiveTask", "intermediateCatchEvent", "eventBasedGateway"})
_WAITING_EVENTS = ("timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
                   "conditionalEventDefinition")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def policy_problems(process: etree._Element, settings: dict[str, str],
                    limits: TimerLimits) -> Iterator[tuple[etree._Element, str]]:
    """(element, sentence) for every timer out of bounds, automatic loop and script in the process."""
    yield from _timer_problems(process, settings, limits)
    yield from _automatic_loops(process)
    yield from _scripts(process)


def _timer_problems(process, settings, limits: TimerLimits):
    for timer in process.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
        for value in timer:
            if not isinstance(value.tag, str) or _local(value) not in ("timeDuration", "timeCycle"):
                continue
            text = (value.text or "").strip()
            literal = settings.get(text, text).strip()
            source = f"the setting '{text}' = {literal!r}" if text in settings else repr(text)
            if not (is_iso_literal(literal) or WORKING_DAYS.match(literal)):
                continue  # an expression: its value is checked when a case reaches the timer
            try:
                problem = (limits.duration_problem(literal) if _local(value) == "timeDuration"
                           else limits.cycle_problem(literal))
            except ValueError:
                continue  # a malformed literal is reported by the timer check itself
            if problem:
                yield timer.getparent(), f"the timer's {_local(value)} {source} is not allowed: {problem}"


def _is_waiting(node: etree._Element) -> bool:
    tag = _local(node)
    if tag in _WAITING_TAGS:
        return True
    if tag == "boundaryEvent":
        return any(node.find(f"bpmn:{kind}", NSMAP) is not None for kind in _WAITING_EVENTS)
    if tag in ("subProcess", "transaction"):
        return any(isinstance(n.tag, str) and etree.QName(n).namespace == BPMN_NS and _is_waiting(n)
                   for n in node.iterdescendants() if _local(n) != "subProcess")
    return False


def _automatic_loops(process):
    nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and n.get("id")
             and etree.QName(n).namespace == BPMN_NS}
    edges: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        edges.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    for event in process.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        edges.setdefault(event.get("attachedToRef"), []).append(event.get("id"))
    for component in _cycles(edges):
        members = [nodes[i] for i in component if i in nodes]
        if members and not any(_is_waiting(n) for n in members):
            members.sort(key=lambda n: n.sourceline or 0)
            names = ", ".join(f"'{n.get('id')}'" for n in members)
            yield members[0], (f"the flows through {names} form a loop in which no person, message or timer is "
                               "waited for; the engine would run it about 500 times and then call the case closed. "
                               "Put a user task or a timer in the loop, or end it")


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components with a cycle in them (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in list(edges):
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(component)
    return found


def _scripts(process):
    # bpmn:script, camunda:script and script tasks have checks of their own; this finds the other dialects.
    known = {f"{{{BPMN_NS}}}script", f"{{{CAMUNDA_NS}}}script", f"{{{BPMN_NS}}}scriptTask"}
    for element in process.iter():
        if isinstance(element.tag, str) and element.tag not in known and _SCRIPT.search(_local(element)):
            owner = next((a for a in element.iterancestors() if a.get("id")), process)
            yield owner, (f"'{etree.QName(element).localname}' ({etree.QName(element).namespace}) holds script; "
                          "vaern diagrams may hold no script of any dialect")
