"""What `vaern check` finds wrong with a diagram, in the process owner's language (the command line stays English).

Each sentence the engine writes (engine/bpmn/lint.py, xml.py, definitions.py) has a pattern here; the parts it
quotes from the diagram are kept, the parts it quotes from a parser are marked as technical. A sentence without a
pattern still reads in the reader's language, with the engine's words quoted; tests/web/test_problem_texts.py
fails for any sentence in the engine's source that has no pattern.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

_WORDS = {"source": _l("source"), "target": _l("target"), "timeDuration": _l("duration"),
          "timeDate": _l("point in time"), "timeCycle": _l("repetition")}
_TRANSLATED_GROUPS = {"detail", "source"}

# (the engine's sentence, the process owner's sentence); named groups carry over.
SENTENCES: list[tuple[re.Pattern, Any]] = [(re.compile(p + r"$", re.S), t) for p, t in (
    (r"the file is not a BPMN 2\.0 diagram \(root must be bpmn:definitions\)",
     _l("The file is not a BPMN 2.0 diagram (its root must be bpmn:definitions).")),
    (r"a diagram must hold exactly one executable process; this one has (?P<n>\d+)",
     _l("A diagram must hold exactly one executable process; this one has %(n)s.")),
    (r"scripts are not allowed in vaern diagrams", _l("Scripts are not allowed in vaern diagrams.")),
    (r"execution and task listeners are not supported by vaern",
     _l("vaern does not support execution or task listeners.")),
    (r"the file has no diagram \(BPMN DI\), so a modeller cannot show it",
     _l("The file has no drawing (BPMN DI), so a modeller cannot show it.")),
    (r"the id '(?P<id>[^']*)' is reserved by the engine; give the element another id",
     _l("The id '%(id)s' is reserved by the engine; give the element another id.")),
    (r"the id '(?P<id>[^']*)' is used twice \(first on line (?P<line>\d+)\)",
     _l("The id '%(id)s' is used twice (first on line %(line)s).")),
    (r"the setting name '(?P<name>.*)' must be letters, digits and '_'",
     _l("The setting name '%(name)s' may hold only letters, digits and '_'.")),
    (r"the setting '(?P<name>[^']*)' has no value", _l("The setting '%(name)s' has no value.")),
    (r"script tasks run code; vaern diagrams may not contain them",
     _l("Script tasks run code; vaern diagrams may not contain them.")),
    (r"service tasks call out of the service; vaern diagrams may not contain them",
     _l("Service tasks call out of the service; vaern diagrams may not contain them.")),
    (r"business rule tasks are not supported by vaern", _l("vaern does not support business rule tasks.")),
    (r"call activities to other diagrams are not supported by vaern",
     _l("vaern does not support call activities to other diagrams.")),
    (r"event subprocesses are not supported by vaern; catch the event with a boundary or intermediate event instead",
     _l("vaern does not support event subprocesses; catch the event with a boundary or intermediate event instead.")),
    (r"the lane name '(?P<name>[^']*)' is not a known role; use one of: (?P<roles>.*)",
     _l("The lane name '%(name)s' is not a known role; use one of: %(roles)s.")),
    (r"the user task sits in no lane, so nobody can be assigned to it",
     _l("The user task sits in no lane, so nobody can be given it.")),
    (r"the timer has no duration, date or cycle", _l("The timer has no duration, point in time or repetition.")),
    (r"the multi-instance collection '(?P<name>[^']*)' must be a variable name",
     _l("The multi-instance collection '%(name)s' must be the name of a variable.")),
    (r"the message has no name, so it cannot be delivered", _l("The message has no name, so it cannot be delivered.")),
    (r"the sequence flow has no (?P<word>source|target)", _l("The sequence flow has no %(word)s.")),
    (r"the sequence flow's (?P<word>source|target) '(?P<ref>[^']*)' does not exist in process '(?P<process>[^']*)'",
     _l("The sequence flow's %(word)s '%(ref)s' does not exist in the process '%(process)s'.")),
    (r"the condition (?P<text>.*) reads '(?P<name>[^']*)', which is no case variable",
     _l("The condition %(text)s reads '%(name)s', which is no case variable.")),
    (r"the condition (?P<text>.*) reads '(?P<name>[^']*)', which nothing in the diagram sets",
     _l("The condition %(text)s reads '%(name)s', which nothing in the diagram sets.")),
    (r"the conditional event has no condition", _l("The conditional event has no condition.")),
    (r"vaern does not read camunda:(?P<attribute>\w+): (?P<detail>.*)",
     _l("vaern does not read camunda:%(attribute)s: %(detail)s.")),
    (r"the event waits for the message '(?P<ref>[^']*)', which the diagram does not define",
     _l("The event waits for the message '%(ref)s', which the diagram does not define.")),
    (r"the condition (?P<text>.*) is not allowed: (?P<detail>.*)",
     _l("The condition %(text)s is not allowed: %(detail)s.")),
    (r"the task is in the lane '(?P<role>[^']*)', but the case can get here before any field '(?P<field>[^']*)' names "
     r"that person \(make it required on that branch, or check defined\(\"[^\"]*\"\) first\)",
     _l("The task is in the lane '%(role)s', but the case can get here before a field '%(field)s' names that person "
        "(make the field required on that branch, or check defined(\"%(field)s\") first).")),
    (r"the flow out of gateway '(?P<id>[^']*)' has no condition, and is not the gateway's default",
     _l("The flow out of the gateway '%(id)s' has no condition and is not the gateway's default flow.")),
    (r"the timer's (?P<word>timeDuration|timeDate|timeCycle) (?P<source>.*) is not valid: (?P<detail>.*)",
     _l("The timer's %(word)s %(source)s is not valid: %(detail)s.")),
    (r"the timer expression (?P<text>.*) is not allowed: (?P<detail>.*)",
     _l("The timer expression %(text)s is not allowed: %(detail)s.")),
    (r"the hearing_material '(?P<name>[^']*)' must be the name of a case variable",
     _l("The hearing material '%(name)s' must be the name of a case variable.")),
    (r"the form field id '(?P<id>[^']*)' must start with a letter and hold only letters, digits and '_'",
     _l("The form field id '%(id)s' must start with a letter and hold only letters, digits and '_'.")),
    (r"the form field '(?P<id>[^']*)' appears twice in this form", _l("The form field '%(id)s' appears twice in this form.")),
    (r"the form field '(?P<id>[^']*)' has type '(?P<type>[^']*)'; use one of (?P<types>.*)",
     _l("The form field '%(id)s' has the type '%(type)s'; use one of %(types)s.")),
    (r"the choice field '(?P<id>[^']*)' has no options", _l("The choice field '%(id)s' has no options.")),
    (r"the form field '(?P<id>[^']*)' has no label", _l("The form field '%(id)s' has no label.")),
    (r"the form field '(?P<id>[^']*)' has a required_if that is not allowed: (?P<detail>.*)",
     _l("The form field '%(id)s' has a required_if that is not allowed: %(detail)s.")),
    (r"the form field '(?P<id>[^']*)' has a (?P<limit>\w+) limit that is not allowed: (?P<detail>.*)",
     _l("The form field '%(id)s' has a %(limit)s limit that is not allowed: %(detail)s.")),
    (r"the form field '(?P<id>[^']*)' has a (?P<limit>\w+) limit; vaern reads limits only on date fields",
     _l("The form field '%(id)s' has a %(limit)s limit; vaern reads limits only on date fields.")),
    (r"the notice kind (?P<kind>.*) must be one of (?P<kinds>.*)", _l("The notice kind %(kind)s must be one of %(kinds)s.")),
    (r"the notice goes to '(?P<role>[^']*)', which is not a known role",
     _l("The notice goes to '%(role)s', which is not a known role.")),
    (r"the element has no shape or edge in the diagram \(BPMN DI\)",
     _l("The element has no shape or arrow in the drawing (BPMN DI).")),
    (r"the BPMN 2\.0 schema rejects this: (?P<detail>.*)", _l("The BPMN 2.0 schema rejects this (technically: %(detail)s).")),
    (r"the file is (?P<size>[\d,]+) bytes; diagrams may be at most (?P<max>[\d,]+) bytes",
     _l("The file is %(size)s bytes; a diagram may be at most %(max)s bytes.")),
    (r"the file declares a DOCTYPE or ENTITY; diagrams may not \(protects against XXE and entity expansion\)",
     _l("The file declares a DOCTYPE or ENTITY, which diagrams may not (it protects against XXE and entity expansion).")),
    (r"the file is not well-formed XML: (?P<detail>.*)", _l("The file is not well-formed XML (technically: %(detail)s).")),
    (r"not well-formed XML: (?P<detail>.*)", _l("The file is not well-formed XML (technically: %(detail)s).")),
    (r"cannot read the file: (?P<detail>.*)", _l("The file cannot be read (technically: %(detail)s).")),
    (r"the workflow engine cannot read the diagram: (?P<detail>.*)",
     _l("The workflow engine cannot read the diagram (technically: %(detail)s).")),
    (r"the file declares the encoding '(?P<name>[^']*)', which vaern cannot read; save it as UTF-8",
     _l("The file declares the character encoding '%(name)s', which vaern cannot read; save it as UTF-8.")),
    (r"the file is not valid (?P<encoding>\S+): (?P<reason>.*) at byte (?P<byte>\d+)",
     _l("The file is not valid %(encoding)s (technically: %(reason)s at byte %(byte)s).")),
    # engine/modelling/service.py: a draft keeps the case kind it was opened as.
    (r"the process id '(?P<id>[^']*)' must stay '(?P<kind>[^']*)' in a draft of that diagram",
     _l("The process id '%(id)s' must stay '%(kind)s' in a draft of that diagram.")),
    # engine/bpmn/lint_policy.py: what a diagram to be deployed may ask of the engine.
    (r"the timer's (?P<word>timeDuration|timeCycle) (?P<source>.*) is not allowed: (?P<detail>.*)",
     _l("The timer's %(word)s %(source)s is not allowed: %(detail)s.")),
    (r"the flows through (?P<names>.*) form a loop in which no person, message or timer is waited for; the engine "
     r"would run it about 500 times and then call the case closed\. Put a user task or a timer in the loop, or end it",
     _l("The flows through %(names)s form a loop in which no person, message or timer is waited for; the engine "
        "would run it about 500 times and then call the case closed. Put a user task or a timer in the loop, or end "
        "it.")),
    (r"'(?P<name>[^']*)' \((?P<namespace>[^)]*)\) holds script; vaern diagrams may hold no script of any dialect",
     _l("'%(name)s' (%(namespace)s) holds script; vaern diagrams may hold no script of any kind.")),
)]

# The explanations inside a sentence (why an expression or a timer value is refused).
DETAILS: list[tuple[re.Pattern, Any]] = [(re.compile(p + r"$", re.S), t) for p, t in (
    (r"the expression is empty", _l("the expression is empty")),
    (r"the expression is longer than (?P<n>\d+) characters", _l("the expression is longer than %(n)s characters")),
    (r"the expression does not parse: (?P<detail>.*)", _l("the expression cannot be read (technically: %(detail)s)")),
    (r"attribute access \('(?P<name>.*)'\) is not allowed in expressions",
     _l("attribute access ('%(name)s') is not allowed in expressions")),
    (r"'(?P<name>\w+)' is not allowed in expressions", _l("'%(name)s' is not allowed in expressions")),
    (r"the name '(?P<name>.*)' is not allowed \(names may not start with '_'\)",
     _l("the name '%(name)s' is not allowed (names may not start with '_')")),
    (r"strings with '__' are not allowed in expressions", _l("texts with '__' are not allowed in expressions")),
    (r"only these functions may be called: (?P<names>.*)", _l("only these functions may be called: %(names)s")),
    (r"keyword arguments are not allowed in expressions", _l("named arguments are not allowed in expressions")),
    (r"a duration is written like P14D or PT12H", _l("a duration is written like P14D or PT12H")),
    (r"a date-time needs a time and a UTC offset, like 2027-03-01T09:00:00\+01:00",
     _l("a point in time needs a time of day and a UTC offset, like 2027-03-01T09:00:00+01:00")),
    (r"a cycle is written like R3/P1D", _l("a repetition is written like R3/P1D")),
    (r"the setting '(?P<name>[^']*)' = (?P<value>.*)", _l("the setting '%(name)s' = %(value)s")),
    # engine/bpmn/limits.py and bounded_eval.py: timers and expressions beyond what a guideline can mean.
    (r"it waits longer than the longest wait a guideline can mean \((?P<max>[^,]+), the setting "
     r"VAERN_MAX_TIMER_DURATION\)",
     _l("it waits longer than a guideline can mean (at most %(max)s, the setting VAERN_MAX_TIMER_DURATION)")),
    (r"it repeats more often than a guideline can mean \(at most every (?P<min>[^,]+), the setting "
     r"VAERN_MIN_TIMER_CYCLE\)",
     _l("it repeats more often than a guideline can mean (at most every %(min)s, the setting VAERN_MIN_TIMER_CYCLE)")),
    (r"a cycle starts with R and a number of repetitions, like R3/P1D",
     _l("a repetition starts with R and a number of times, like R3/P1D")),
    (r"a cycle needs exactly one interval, like R3/P1D", _l("a repetition needs exactly one interval, like R3/P1D")),
    (r"it asks for too much work: (?P<detail>.*)", _l("it asks for too much work: %(detail)s")),
    (r"repeating a value would make one of more than (?P<n>[\d,]+) items or characters",
     _l("repeating a value would make one of more than %(n)s items or characters")),
    (r"joining the values would make one of more than (?P<n>[\d,]+) items or characters",
     _l("joining the values would make one of more than %(n)s items or characters")),
    (r"the expression makes a value of more than (?P<n>[\d,]+) items or characters",
     _l("the expression makes a value of more than %(n)s items or characters")),
    (r"text formatting with % is not allowed in expressions", _l("text formatting with %% is not allowed in expressions")),
    (r"round\(\) takes at most (?P<n>\d+) digits", _l("round() takes at most %(n)s digits")),
    (r"the expression needs more than (?P<seconds>[\d.]+) seconds",
     _l("the expression needs more than %(seconds)s seconds")),
    # engine/bpmn/lint.py CAMUNDA_TASK_ATTRIBUTES: why a Camunda 7 attribute does nothing in vaern.
    (r"the lane decides who does a task in vaern", _l("in vaern the lane decides who does a task")),
    (r"vaern shows the task's form fields \(camunda:formData\), not a form of its own",
     _l("vaern shows the task's form fields (camunda:formData), not a form of its own")),
    (r"a deadline in vaern is a timer on the task", _l("a deadline in vaern is a timer on the task")),
    (r"a reminder in vaern is a timer on the task", _l("a reminder in vaern is a timer on the task")),
)]

# The suggestions a problem may carry (engine/bpmn/hints.py, lint.py): what to write instead.
HINTS: list[tuple[re.Pattern, Any]] = [(re.compile(p + r"$", re.S), t) for p, t in (
    (r"write `(?P<code>.*)`", _l("write `%(code)s`")),
    (r"use (?P<codes>`.*`)", _l("use %(codes)s")),
    (r"remove camunda:(?P<attribute>\w+)", _l("remove camunda:%(attribute)s")),
)]


def _fill(pattern_table, text: str) -> str | None:
    for pattern, template in pattern_table:
        match = pattern.match(text)
        if match:
            parts = {}
            for key, value in match.groupdict().items():
                if key == "word":
                    value = str(_WORDS.get(value, value))
                elif key in _TRANSLATED_GROUPS:
                    value = _fill(DETAILS, value) or value  # a parser's own words stay as they are
                parts[key] = value
            return str(template) % parts
    return None


def problem_text(message: str) -> str:
    """A problem `vaern check` reports, as a sentence in the reader's language."""
    if get_locale().language == "en":
        return message
    return _fill(SENTENCES, message) or str(_l("The diagram has a problem (the engine says: %(message)s).") % {
        "message": message})


def hint_text(hint: str | None) -> str | None:
    """A problem's suggestion (what to write instead), in the reader's language."""
    if not hint or get_locale().language == "en":
        return hint
    return _fill(HINTS, hint) or hint


def has_sentence(message: str) -> bool:
    """Whether the message has its own sentence here (tests check every sentence the engine can write)."""
    return _fill(SENTENCES, message) is not None
