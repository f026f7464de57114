"""The people directory: finding a person by part of a name or id, and reading a person field's text."""
from __future__ import annotations

from engine.org.directory import MAX_QUERY, PeopleDirectory, PersonMatch, fold

NAMES = {"kk": "Karl Kollega", "kk2": "Karl Kollega", "anna": "Anna Ansat", "oe": "Øjvind Ørsted",
         "rene": "René Jensen", "tina": "Tina Tillidsrepræsentant"}
UNITS = {"kk": "Akutafdelingen", "kk2": "Psykiatrisk afsnit"}


def _ids(matches) -> list[str]:
    return [m.id for m in matches]


def test_fold_ignores_case_accents_and_spacing_but_keeps_danish_letters_apart():
    assert fold("  René   JENSEN ") == "rene jensen"
    assert fold("Ørsted") == "ørsted" and fold("Ørsted") != fold("Orsted")


def test_find_matches_every_word_in_name_or_id_names_starting_with_it_first():
    directory = PeopleDirectory(NAMES, UNITS)
    assert _ids(directory.find("rene")) == ["rene"]
    assert _ids(directory.find("ØRST")) == ["oe"]
    assert _ids(directory.find("kollega karl")) == ["kk", "kk2"]
    assert _ids(directory.find("t")) == ["tina", "anna", "oe"], "Tina starts with it; the rest by name"
    assert directory.find("   ") == [] and directory.find("nobody") == []
    assert directory.find("karl")[0] == PersonMatch("kk", "Karl Kollega", "Akutafdelingen")


def test_find_stops_at_the_limit_in_a_large_organisation():
    names = {f"p{i}": f"Person {i:05d}" for i in range(30_000)}
    directory = PeopleDirectory(names, {})
    found = directory.find("person", limit=20)
    assert _ids(found) == [f"p{i}" for i in range(20)]
    assert _ids(directory.find("29999")) == ["p29999"]
    assert directory.find("x" * (MAX_QUERY + 50)) == []


def test_choose_takes_an_id_a_suggestion_label_or_a_name_only_one_person_has():
    directory = PeopleDirectory(NAMES, UNITS)
    assert directory.choose("anna").person_id == "anna"
    assert directory.choose("ANNA").person_id == "anna", "an id in other case is still the id"
    assert directory.choose("Karl Kollega (kk2)").person_id == "kk2"
    assert directory.choose("  rene jensen ").person_id == "rene"
    assert directory.choose("").person_id is None and not directory.choose("").suggestions


def test_choose_names_no_one_for_a_shared_name_or_a_misspelling_and_offers_who_it_could_be():
    directory = PeopleDirectory(NAMES, UNITS)
    shared = directory.choose("karl kollega")
    assert shared.person_id is None and shared.ambiguous and _ids(shared.suggestions) == ["kk", "kk2"]
    misspelt = directory.choose("Tillid")
    assert misspelt.person_id is None and not misspelt.ambiguous and _ids(misspelt.suggestions) == ["tina"]
    assert directory.choose("Someone Else (nobody)").person_id is None


def test_choose_takes_a_first_name_or_initials_only_one_person_has():
    directory = PeopleDirectory(NAMES, UNITS)
    assert directory.choose("Øjvind").person_id == "oe" and directory.choose("rené").person_id == "rene"
    assert directory.choose("ØØ").person_id == "oe", "Øjvind Ørsted's initials"
    shared = directory.choose("Karl")
    assert shared.person_id is None and shared.ambiguous and {p.id for p in shared.suggestions} == {"kk", "kk2"}
    initials = directory.choose("kk")
    assert initials.person_id == "kk", "an id wins over initials"
    assert directory.choose("Tillid").person_id is None, "part of a surname is no first name"
