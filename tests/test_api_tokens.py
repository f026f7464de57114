"""API tokens: stored only as a hash, shown once, expiring, revocable; client credentials and their scopes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import InvalidInput, NotAllowed, NotFound
from engine.api_tokens.service import token_hash
from engine.models import ApiClient, ApiToken
from tests.conftest import T0


def test_a_personal_token_is_stored_only_as_its_hash(vaern):
    issued = vaern.api_tokens.create_personal_token("leder-akut", "HR sync", ["tasks:read"], 30, T0)
    assert issued.secret.startswith("vaern_pat_") and len(issued.secret) > 40
    with vaern.uow() as uow:
        rows = [(r.token_hash, r.prefix) for r in uow.session.scalars(select(ApiToken))]
    assert len(rows) == 1
    stored_hash, prefix = rows[0]
    assert stored_hash == token_hash(issued.secret) and issued.secret not in (stored_hash, prefix)
    assert issued.secret.startswith(prefix) and len(prefix) < 20
    # What the owner lists never holds the secret.
    listed = vaern.api_tokens.tokens_of("leder-akut")
    assert [t.id for t in listed] == [issued.info.id] and issued.secret not in repr(listed)


def test_a_token_speaks_for_its_person_with_its_scopes_until_it_expires(vaern):
    issued = vaern.api_tokens.create_personal_token("leder-akut", "script", ["tasks:read", "tasks:write"], 7, T0)
    caller = vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(days=6, hours=23))
    assert caller.person_id == "leder-akut" and caller.scopes == {"tasks:read", "tasks:write"}
    assert caller.client_id is None
    assert vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(days=7)) is None
    assert vaern.api_tokens.authenticate(issued.secret + "x", T0) is None
    assert vaern.api_tokens.authenticate("", T0) is None


def test_a_revoked_token_opens_nothing_and_only_its_owner_may_revoke_it(vaern):
    issued = vaern.api_tokens.create_personal_token("leder-akut", "script", ["tasks:read"], 30, T0)
    with pytest.raises(NotFound):
        vaern.api_tokens.revoke_token(issued.info.id, "ansat-akut", T0)
    assert vaern.api_tokens.authenticate(issued.secret, T0) is not None
    vaern.api_tokens.revoke_token(issued.info.id, "leder-akut", T0 + timedelta(hours=1))
    assert vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(hours=2)) is None
    assert not vaern.api_tokens.tokens_of("leder-akut")[0].active(T0 + timedelta(hours=2))


def test_a_token_needs_a_name_a_known_scope_and_a_bounded_lifetime(vaern):
    with pytest.raises(InvalidInput) as refused:
        vaern.api_tokens.create_personal_token("leder-akut", " ", ["tasks:everything"], 1000, T0)
    assert set(refused.value.errors) == {"name", "scopes", "days"}
    with pytest.raises(InvalidInput) as refused:
        vaern.api_tokens.create_personal_token("leder-akut", "x", [], 30, T0)
    assert set(refused.value.errors) == {"scopes"}


def test_last_use_is_written_at_most_every_few_minutes(vaern):
    issued = vaern.api_tokens.create_personal_token("leder-akut", "script", ["tasks:read"], 30, T0)
    vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(seconds=1))
    vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(seconds=30))
    assert vaern.api_tokens.tokens_of("leder-akut")[0].last_used_at == T0 + timedelta(seconds=1)
    vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(minutes=10))
    assert vaern.api_tokens.tokens_of("leder-akut")[0].last_used_at == T0 + timedelta(minutes=10)


def test_a_client_trades_its_secret_for_a_short_token_with_at_most_its_scopes(vaern):
    _info, secret = vaern.api_tokens.register_client("vtc", "VTC", "hr-hosp", ["cases:start", "tasks:read"], "cli", T0)
    with vaern.uow() as uow:
        assert uow.session.get(ApiClient, "vtc").secret_hash == token_hash(secret)
    issued = vaern.api_tokens.issue_client_token("vtc", secret, [], T0)
    assert issued.secret.startswith("vaern_cc_") and set(issued.info.scopes) == {"cases:start", "tasks:read"}
    caller = vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(minutes=59))
    assert caller.person_id == "hr-hosp" and caller.client_id == "vtc"
    assert vaern.api_tokens.authenticate(issued.secret, T0 + timedelta(hours=1)) is None
    narrow = vaern.api_tokens.issue_client_token("vtc", secret, ["tasks:read"], T0)
    assert narrow.info.scopes == ("tasks:read",)
    with pytest.raises(NotAllowed):
        vaern.api_tokens.issue_client_token("vtc", secret, ["definitions:deploy"], T0)
    with pytest.raises(NotAllowed):
        vaern.api_tokens.issue_client_token("vtc", "wrong", [], T0)
    with pytest.raises(NotAllowed):
        vaern.api_tokens.issue_client_token("nobody", secret, [], T0)


def test_a_new_client_secret_or_a_revoked_client_ends_its_tokens(vaern):
    _info, secret = vaern.api_tokens.register_client("hr", "HR", "hr-hosp", ["tasks:read"], "cli", T0)
    issued = vaern.api_tokens.issue_client_token("hr", secret, [], T0)
    _info, new_secret = vaern.api_tokens.register_client("hr", "HR", "hr-hosp", ["tasks:read"], "cli", T0)
    assert vaern.api_tokens.authenticate(issued.secret, T0) is None
    with pytest.raises(NotAllowed):
        vaern.api_tokens.issue_client_token("hr", secret, [], T0)
    again = vaern.api_tokens.issue_client_token("hr", new_secret, [], T0)
    vaern.api_tokens.revoke_client("hr", T0)
    assert vaern.api_tokens.authenticate(again.secret, T0) is None
    with pytest.raises(NotAllowed):
        vaern.api_tokens.issue_client_token("hr", new_secret, [], T0)


def test_an_administrator_registers_lists_and_revokes_a_client_on_the_command_line(vaern):
    from click.testing import CliRunner

    from engine.cli.main import CliContext, cli

    context = CliContext(service=lambda: vaern, now=lambda: T0)
    added = CliRunner().invoke(cli, ["api-client", "add", "vtc", "--person", "hr-hosp", "--scope", "cases:start",
                                     "--name", "VTC"], obj=context)
    assert added.exit_code == 0, added.output
    secret = added.output.split("secret (shown only now): ")[1].strip()
    assert vaern.api_tokens.issue_client_token("vtc", secret, [], T0).info.scopes == ("cases:start",)
    listed = CliRunner().invoke(cli, ["api-client", "list"], obj=context)
    assert "vtc\thr-hosp\tcases:start\tactive" in listed.output and secret not in listed.output
    assert CliRunner().invoke(cli, ["api-client", "revoke", "vtc"], obj=context).exit_code == 0
    with pytest.raises(NotAllowed):
        vaern.api_tokens.issue_client_token("vtc", secret, [], T0)
    refused = CliRunner().invoke(cli, ["api-client", "add", "x", "--person", "nobody", "--scope", "cases:start"],
                                 obj=context)
    assert refused.exit_code != 0
