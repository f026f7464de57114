"""The rows a command writes, sent in as few round trips as the database allows.

Inserts that only add to the record (events, notices, outbox mail) are queued during a command and
written at its commit, one statement per table. A case's save is a version-checked update of the case
and a list of `Change`s to its other rows. On SQLite, where a statement costs microseconds, the save
goes out statement by statement. On PostgreSQL, where every statement is a network round trip, the
save and everything queued so far go out as one statement of data-modifying CTEs, each guarded by the
case's update: when the version moved on, nothing at all is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, or_, select, union_all, update
from sqlalchemy import delete as sql_delete


@dataclass(frozen=True)
class Change:
    """One write of a save: `insert` whole rows, `update` rows by primary key, or `delete` them by it."""

    kind: str
    table: Table
    rows: tuple[dict[str, Any], ...]


class RowQueue:
    """Rows to insert at the command's commit (or with its save, on PostgreSQL), one statement per table."""

    def __init__(self) -> None:
        self._tables: dict[str, tuple[Table, list[dict[str, Any]]]] = {}

    def add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Queue rows for `table`, in the order given."""
        if rows:
            self._tables.setdefault(table.name, (table, []))[1].extend(rows)

    def take(self) -> list[Change]:
        """Everything queued, as inserts, and the queue emptied."""
        taken = [Change("insert", table, tuple(rows)) for table, rows in self._tables.values()]
        self._tables.clear()
        return taken

    def clear(self) -> None:
        """Forget what is queued (the command rolled back)."""
        self._tables.clear()


def flush(connection: Connection, queue: RowQueue) -> None:
    """Write what is still queued, one statement per table (called just before the commit)."""
    for change in queue.take():
        execute_rows(connection, _insert(change.table), list(change.rows))


def save(connection: Connection, queue: RowQueue, table: Table, key: dict[str, Any], expected_version: int,
         set_values: dict[str, Any], changes: list[Change]) -> bool:
    """Update the row at `key` if its version is still `expected_version`, and apply `changes` with it.

    On PostgreSQL what is queued goes out in the same statement. Returns False, having written nothing,
    when the version has moved on.
    """
    if connection.dialect.name == "postgresql":
        changes = [*changes, *queue.take()]
        return _save_in_one_statement(connection, table, key, expected_version, set_values, changes)
    parameters = {**{f"key_{name}": value for name, value in key.items()}, "expected_version": expected_version,
                  **set_values}
    if connection.execute(_versioned_update(table, tuple(key)), parameters).rowcount != 1:
        return False
    for change in changes:
        _apply(connection, change)
    return True


def execute_rows(connection: Connection, statement, rows: list[dict[str, Any]]) -> None:
    """Run a statement for each row: one row as a plain execute, which skips the driver's executemany
    machinery (a pipeline round of its own on PostgreSQL), several as one executemany."""
    connection.execute(statement, rows[0] if len(rows) == 1 else rows)


# -- one change at a time --------------------------------------------------------------------------

def _apply(connection: Connection, change: Change) -> None:
    if change.kind == "insert":
        execute_rows(connection, _insert(change.table), list(change.rows))
    elif change.kind == "update":
        execute_rows(connection, _update_by_key(change.table), [_keyed(change.table, row) for row in change.rows])
    else:
        execute_rows(connection, _delete_by_key(change.table), [_keyed(change.table, row) for row in change.rows])


_STATEMENTS: dict[tuple, Any] = {}  # built once per table: neither built nor hashed again


def _key_columns(table: Table) -> list:
    return list(table.primary_key.columns)


def _insert(table: Table):
    found = _STATEMENTS.get(("insert", table.name))
    if found is None:
        found = _STATEMENTS[("insert", table.name)] = insert(table)
    return found


def _update_by_key(table: Table):
    found = _STATEMENTS.get(("update", table.name))
    if found is None:
        keys = _key_columns(table)
        found = update(table).where(*(c == bindparam(f"key_{c.name}") for c in keys)).values(
            {c.name: bindparam(c.name) for c in table.columns if c not in keys})
        _STATEMENTS[("update", table.name)] = found
    return found


def _versioned_update(table: Table, key_names: tuple[str, ...]):
    # The columns to set come from the parameters: the state, version and whichever flags changed.
    found = _STATEMENTS.get(("versioned", table.name, key_names))
    if found is None:
        found = update(table).where(*(table.c[name] == bindparam(f"key_{name}") for name in key_names),
                                    table.c.version == bindparam("expected_version"))
        _STATEMENTS[("versioned", table.name, key_names)] = found
    return found


def _delete_by_key(table: Table):
    found = _STATEMENTS.get(("delete", table.name))
    if found is None:
        found = sql_delete(table).where(*(c == bindparam(f"key_{c.name}") for c in _key_columns(table)))
        _STATEMENTS[("delete", table.name)] = found
    return found


def _keyed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    keys = {c.name for c in _key_columns(table)}
    return {(f"key_{name}" if name in keys else name): value for name, value in row.items()}


# -- everything in one statement (PostgreSQL) ------------------------------------------------------

# Statements by shape (which tables, how many rows, which columns), built with named parameters: a
# save of a known shape neither builds nor hashes a statement, it only binds the values.
_COMBINED: dict[tuple, Any] = {}
_COMBINED_LIMIT = 512


def _save_in_one_statement(connection: Connection, table: Table, key: dict[str, Any], expected_version: int,
                           set_values: dict[str, Any], changes: list[Change]) -> bool:
    shapes = tuple(_shape(change) for change in changes)
    shape = (table, tuple(key), tuple(set_values), shapes)
    statement = _COMBINED.get(shape)
    if statement is None:
        if len(_COMBINED) >= _COMBINED_LIMIT:
            _COMBINED.clear()
        statement = _COMBINED[shape] = _combined_statement(table, tuple(key), tuple(set_values), shapes)
    parameters = {**{f"k_{name}": value for name, value in key.items()}, "expected_version": expected_version,
                  **{f"s_{name}": value for name, value in set_values.items()}}
    for number, (change, (_, _, names)) in enumerate(zip(changes, shapes)):
        for index, row in enumerate(change.rows):
            parameters.update({f"c{number}_{index}_{name}": row.get(name) for name in names[index]})
    return connection.execute(statement, parameters).scalar_one() == 1


def _shape(change: Change) -> tuple:
    table = change.table
    if change.kind == "insert":
        names = tuple(c.name for c in table.columns if any(c.name in row for row in change.rows))
        return ("insert", table, (names,) * len(change.rows))
    if change.kind == "update":
        return ("update", table, tuple(tuple(row) for row in change.rows))
    return ("delete", table, (tuple(c.name for c in _key_columns(table)),) * len(change.rows))


def _combined_statement(table: Table, key_names: tuple[str, ...], set_names: tuple[str, ...], shapes: tuple):
    saved = (update(table).where(*(table.c[name] == bindparam(f"k_{name}") for name in key_names),
                                 table.c.version == bindparam("expected_version"))
             .values({name: bindparam(f"s_{name}", type_=table.c[name].type) for name in set_names})
             .returning(table.c.version).cte("saved"))
    # Every other write waits for the update and happens only if it changed a row: the update's lock
    # is taken first (no deadlock with a rival save), and a lost race writes nothing.
    went_ahead = select(saved.c.version).exists()
    statement = select(func.count()).select_from(saved)
    written = 0
    for number, shape in enumerate(shapes):
        for dml in _guarded(number, *shape, went_ahead):
            statement = statement.add_cte(dml.cte(f"change_{written}"))
            written += 1
    return statement


def _guarded(number: int, kind: str, table: Table, row_names: tuple[tuple[str, ...], ...], went_ahead) -> list:
    def value(index: int, name: str):
        return bindparam(f"c{number}_{index}_{name}", type_=table.c[name].type)

    keys = _key_columns(table)
    if kind == "insert":
        names = row_names[0]
        # One guarded SELECT of typed parameters per row, joined by UNION ALL (typed, NULLs included).
        selects = [select(*(value(index, name).label(name) for name in names)).where(went_ahead)
                   for index in range(len(row_names))]
        return [insert(table).from_select(list(names), selects[0] if len(selects) == 1 else union_all(*selects))]
    if kind == "update":
        key_names = {c.name for c in keys}
        return [update(table).where(*(c == value(index, c.name) for c in keys), went_ahead)
                .values({name: value(index, name) for name in names if name not in key_names})
                for index, names in enumerate(row_names)]
    rows = [and_(*(c == value(index, c.name) for c in keys)) for index in range(len(row_names))]
    return [sql_delete(table).where(or_(*rows), went_ahead)]
