"""Finding a person by what someone typed: part of a name or an id, or a choice from the suggestions.

Forms that name a person (who it happened to, who acted, whom to give access) take text, not a list
of the whole organisation: a region has tens of thousands of people, and a page must not grow with
them. Matching folds case and accents the Unicode way (Ø, Å, é), the same on every database.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY = 100  # longer text names nobody; it is cut rather than searched
_LABEL = re.compile(r"^(?P<name>.*)\((?P<id>[^()]+)\)\s*$")


@dataclass(frozen=True)
class PersonMatch:
    """A person as a suggestion shows them: the label a form field takes is "Name (id)"."""

    id: str
    name: str
    unit_name: str | None

    @property
    def label(self) -> str:
        """What a chosen suggestion puts in the field, and what the field shows for a known person."""
        return f"{self.name} ({self.id})"


@dataclass(frozen=True)
class PersonChoice:
    """What a person field's text names: one person's id, or none with the people it could have meant."""

    person_id: str | None
    ambiguous: bool = False
    suggestions: tuple[PersonMatch, ...] = ()
    typed: str | None = None  # in a field that names several people, the name this choice is about


def fold(text: str) -> str:
    """Text for matching: case folded, accents kept apart from their letters (é → e), spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class PeopleDirectory:
    """The people of one organisation revision, searchable by name and id."""

    def __init__(self, names: dict[str, str], unit_names: dict[str, str | None]) -> None:
        self._names = names
        self._unit_names = unit_names
        self._folded_ids = {}
        for person_id in names:
            self._folded_ids.setdefault(fold(person_id), []).append(person_id)
        # Sorted by name once, so a search returns people in the order a list would show them.
        self._entries = sorted(((fold(name), fold(person_id), person_id) for person_id, name in names.items()),
                               key=lambda entry: (entry[0], entry[2]))
        self._haystacks = [f"{folded_name} {folded_id}" for folded_name, folded_id, _ in self._entries]
        self._first_names: dict[str, list[str]] = {}
        self._initials: dict[str, list[str]] = {}
        for folded_name, _, person_id in self._entries:
            words = folded_name.split()
            if words:
                self._first_names.setdefault(words[0], []).append(person_id)
            if len(words) > 1:
                self._initials.setdefault("".join(w[0] for w in words), []).append(person_id)

    def match(self, person_id: str) -> PersonMatch | None:
        """The person with exactly this id, if there is one."""
        name = self._names.get(person_id)
        return PersonMatch(person_id, name, self._unit_names.get(person_id)) if name is not None else None

    def find(self, text: str, limit: int = 20) -> list[PersonMatch]:
        """People whose name or id holds every word of `text`; names starting with it first."""
        words = fold(text[:MAX_QUERY]).split()
        if not words:
            return []
        first, others = words[0], words[1:]
        haystacks = self._haystacks
        hits = [i for i, haystack in enumerate(haystacks) if first in haystack]
        for word in others:
            hits = [i for i in hits if word in haystacks[i]]
        start, rest = [], []
        for i in hits:
            folded_name, folded_id, person_id = self._entries[i]
            (start if folded_name.startswith(first) or folded_id == first else rest).append(person_id)
            if len(start) >= limit:  # in name order, so no later hit can come before these
                break
        return [self.match(person_id) for person_id in (start + rest)[:limit]]

    def choose(self, text: str) -> PersonChoice:
        """The person `text` names: an id, a suggestion's "Name (id)", or a name only one person has."""
        text = (text or "").strip()[:MAX_QUERY]
        if not text:
            return PersonChoice(None)
        if text in self._names:
            return PersonChoice(text)
        label = _LABEL.match(text)
        if label and label.group("id").strip() in self._names:
            return PersonChoice(label.group("id").strip())
        by_id = self._folded_ids.get(fold(text), [])
        if len(by_id) == 1:
            return PersonChoice(by_id[0])
        folded = fold(text)
        same_name = [person_id for folded_name, _, person_id in self._entries if folded_name == folded]
        if len(same_name) == 1:
            return PersonChoice(same_name[0])
        if same_name:
            return PersonChoice(None, ambiguous=True, suggestions=tuple(self.match(p) for p in same_name[:10]))
        # One word: a first name or initials, as colleagues call each other ("Tina", "KK"), if only one person fits.
        if len(folded.split()) == 1:
            fits = self._first_names.get(folded, []) or self._initials.get(folded, [])
            if len(fits) == 1:
                return PersonChoice(fits[0])
            if fits:
                return PersonChoice(None, ambiguous=True, suggestions=tuple(self.match(p) for p in fits[:10]))
        return PersonChoice(None, suggestions=tuple(self.find(text, 5)))
