"""What a person reads instead of a diagram's internals: settings in words, dates in the reader's form, choices by name."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Mapping

from flask_babel import format_datetime, get_locale, ngettext

# ISO-8601 durations as modellers write them (P14D, P2W, PT4H, P1DT12H); vaern's own "5 arbejdsdage".
_ISO_DURATION = re.compile(r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
                           r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$")
_WORKING_DAYS = re.compile(r"^(?P<n>\d+)\s+arbejdsdag(?:e)?$", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# A name as diagrams use them for variables and settings: lower-case words joined by underscores.
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9\"»(])")
_FIRST_PERSON = re.compile(r"^Jeg\s+(\w)")
_OPTIONAL = re.compile(r"\s*\((?:valgfrit|valgfri|optional)\)\s*$", re.IGNORECASE)


def _unit(kind: str, n: int) -> str:
    words = {
        "years": ngettext("%(num)s year", "%(num)s years", n),
        "months": ngettext("%(num)s month", "%(num)s months", n),
        "weeks": ngettext("%(num)s week", "%(num)s weeks", n),
        "days": ngettext("%(num)s day", "%(num)s days", n),
        "hours": ngettext("%(num)s hour", "%(num)s hours", n),
        "minutes": ngettext("%(num)s minute", "%(num)s minutes", n),
        "working_days": ngettext("%(num)s working day", "%(num)s working days", n),
    }
    return words[kind]


def duration_words(value: Any) -> str | None:
    """A duration setting in words ("P14D" -> "14 dage", "5 arbejdsdage"); None when it is not a duration."""
    text = str(value or "").strip()
    match = _WORKING_DAYS.match(text)
    if match:
        return _unit("working_days", int(match.group("n")))
    match = _ISO_DURATION.match(text)
    if not match or text in ("P", "PT"):
        return None
    parts = [_unit(kind, int(n)) for kind, n in match.groupdict().items() if n and int(n)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " " + _and() + " " + parts[-1]


def _and() -> str:
    return "and" if get_locale().language == "en" else "og"


def setting_words(value: Any) -> str:
    """A setting's value as a person reads it: a duration in words, a date in the reader's form, else as is."""
    words = duration_words(value)
    if words:
        return words
    return value_text(value)


def moment(value: datetime | None) -> str:
    """A date and time in the reader's language (Danish: 02.12.2026 kl. 14.30)."""
    if not value:
        return "–"
    if get_locale().language == "da":
        return format_datetime(value, "dd.MM.yyyy 'kl.' HH.mm")
    return format_datetime(value, "d MMM yyyy, HH:mm")


def day(value: date | datetime | str | None) -> str:
    """A date in the reader's language (Danish: 02.12.2026)."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return format_datetime(value, "dd.MM.yyyy" if get_locale().language == "da" else "d MMM yyyy")
    return value.strftime("%d.%m.%Y") if get_locale().language == "da" else f"{value.day} {value:%b %Y}"


def value_text(value: Any, options: Mapping[str, str] | None = None) -> Any:
    """A stored answer as a person reads it: an option's name, ISO dates in the reader's form; other values as they are."""
    if options and isinstance(value, str) and value in options:
        return options[value]
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, str):
        try:
            if _ISO_DAY.match(value):
                return day(value)
            if _ISO_MOMENT.match(value):
                return moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def plain_label(label: str) -> str:
    """A form field's label as it reads in a record of answers: without "(valgfrit)"."""
    return _OPTIONAL.sub("", label or "").strip()


def record_label(label: str) -> str:
    """A first-person form label as the record reads it under the answerer's name ("Jeg ønsker" -> "Ønsker")."""
    return _FIRST_PERSON.sub(lambda m: m.group(1).upper(), label, count=1)


def plain_text(text: str, settings: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """A diagram's documentation for the people doing the task: each setting named by its value in words,
    a field named by its label, and sentences that still speak of internal names left out (the process
    owner sees the text as written)."""
    paragraphs = []
    for paragraph in (text or "").split("\n\n"):
        sentences = [_plain_sentence(s, settings, labels) for s in _SENTENCE_END.split(paragraph.strip())]
        kept = " ".join(s for s in sentences if s and not IDENTIFIER.search(s))
        if kept:
            paragraphs.append(kept)
    return "\n\n".join(paragraphs)


def _plain_sentence(sentence: str, settings: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    def parenthesised(match: re.Match) -> str:
        names = [n.strip() for n in re.split(r"[,;]| og | and ", match.group(1))]
        if all(n in settings for n in names):
            return "(" + ", ".join(setting_words(settings[n]) for n in names) + ")"
        # A bracket naming only a field or variable points the process owner at the data; the reader needs none.
        if all(IDENTIFIER.fullmatch(n) or n in labels for n in names):
            return ""
        return match.group(0)

    sentence = re.sub(r"\s*\(([^()]*)\)", lambda m: (" " + r.strip()) if (r := parenthesised(m)) else "", sentence)

    def word(match: re.Match) -> str:
        name = match.group(0)
        if name in settings:
            return setting_words(settings[name])
        if name in labels:
            return "»" + plain_label(labels[name]).rstrip("?:") + "«"
        return name

    sentence = IDENTIFIER.sub(word, sentence)
    return re.sub(r"\s+([.,;:])", r"\1", sentence).strip()
