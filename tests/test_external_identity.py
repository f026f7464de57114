"""Single sign-on identities in the engine: the first log-in matched on the configured claim, later ones on
(issuer, subject); never e-mail; who left refused; admin and process owner following the claims; the settings."""
from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from engine import Settings, SignInRefused, open_vaern
from engine.models import ExternalIdentity
from tests.conftest import DEMO_ORG, T0

ISSUER = "https://login.example.invalid/tenant/v2.0"


@pytest.fixture
def sso(database_url):
    service = open_vaern(Settings(database_url=database_url, oidc_issuer=ISSUER, oidc_client_id="vaern",
                                  oidc_admin_value="admins", oidc_process_owner_value="owners"))
    service.import_org(DEMO_ORG, "admin", T0)
    yield service
    service.db.dispose()


def test_the_first_log_in_matches_the_claim_and_later_ones_the_subject(sso):
    person = sso.sign_in_external(ISSUER, {"sub": "oid-1", "employee_id": "leder-akut"}, T0)
    assert person.id == "leder-akut" and not person.is_admin
    again = sso.sign_in_external(ISSUER, {"sub": "oid-1", "employee_id": "ansat-akut"}, T0)
    assert again.id == "leder-akut"
    # The same employee number from another subject of the same provider is someone else: refused.
    with pytest.raises(SignInRefused) as refused:
        sso.sign_in_external(ISSUER, {"sub": "oid-2", "employee_id": "leder-akut"}, T0)
    assert refused.value.reason == "identity_taken"
    # Another issuer is another identity.
    assert sso.sign_in_external("https://other.invalid", {"sub": "oid-1", "employee_id": "ansat-akut"}, T0).id \
        == "ansat-akut"
    with sso.uow() as uow:
        assert uow.session.scalar(select(ExternalIdentity.person_id).where(
            ExternalIdentity.issuer == ISSUER, ExternalIdentity.subject == "oid-1")) == "leder-akut"


@pytest.mark.parametrize("claims, reason", [
    ({"sub": "oid-9", "employee_id": "nobody"}, "unknown_person"),
    ({"sub": "oid-9", "email": "leder-akut@demo.invalid"}, "no_match_claim"),
    ({"sub": "oid-9", "employee_id": ["leder-akut"]}, "no_match_claim"),
    ({"employee_id": "leder-akut"}, "no_subject"),
])
def test_nobody_is_let_in_on_anything_but_the_claim(sso, claims, reason):
    with pytest.raises(SignInRefused) as refused:
        sso.sign_in_external(ISSUER, claims, T0)
    assert refused.value.reason == reason


def test_someone_who_left_is_refused_and_returns_when_back(sso):
    sso.sign_in_external(ISSUER, {"sub": "oid-1", "employee_id": "tr-akut"}, T0)
    org = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    people = [{**p, "roles": [r["role"] if r["unit"] == p["unit"] else f"{r['role']}@{r['unit']}"
                              for r in org["roles"] if r["person"] == p["id"]]} for p in org["people"]]
    without = [p for p in people if p["id"] != "tr-akut"]
    sso.apply_sync(yaml.safe_dump({"units": org["units"], "people": without}), "org.yaml", "admin", T0)
    with pytest.raises(SignInRefused) as refused:
        sso.sign_in_external(ISSUER, {"sub": "oid-1"}, T0)
    assert refused.value.reason == "left"
    assert sso.signed_in("tr-akut") is None
    sso.apply_sync(yaml.safe_dump({"units": org["units"], "people": people}), "org.yaml", "admin", T0)
    assert sso.sign_in_external(ISSUER, {"sub": "oid-1"}, T0).id == "tr-akut"


def test_administrator_and_process_owner_follow_the_claims(sso):
    person = sso.sign_in_external(ISSUER, {"sub": "oid-1", "employee_id": "hr-hosp", "groups": ["admins", "owners"]},
                                  T0)
    assert person.is_admin and person.is_process_owner
    roles_as_text = sso.sign_in_external(ISSUER, {"sub": "oid-1", "groups": "owners"}, T0)
    assert not roles_as_text.is_admin and roles_as_text.is_process_owner
    assert not sso.sign_in_external(ISSUER, {"sub": "oid-1"}, T0).is_process_owner


def test_the_settings_from_the_environment():
    settings = Settings.from_env({"VAERN_OIDC_ISSUER": ISSUER + "/", "VAERN_OIDC_CLIENT_ID": "vaern",
                                  "VAERN_OIDC_MATCH_CLAIM": "employeeid", "VAERN_LOCAL_PASSWORDS": "0",
                                  "VAERN_BREAK_GLASS": "koncern-hr, it-admin", "VAERN_SYNC_MAX_REMOVED_SHARE": "0.05"})
    assert settings.oidc_enabled and settings.oidc_issuer == ISSUER and settings.oidc_match_claim == "employeeid"
    assert settings.local_passwords is False and settings.break_glass_accounts == {"koncern-hr", "it-admin"}
    assert settings.sync_max_removed_share == 0.05
    assert not Settings.from_env({}).oidc_enabled and Settings.from_env({}).local_passwords


def test_an_administrator_unlinks_an_identity_so_the_claim_matches_again(sso):
    from click.testing import CliRunner

    from engine.cli.main import CliContext, cli

    sso.sign_in_external(ISSUER, {"sub": "oid-old", "employee_id": "leder-akut"}, T0)
    context = CliContext(service=lambda: sso, now=lambda: T0, interactive=lambda: False)
    done = CliRunner().invoke(cli, ["account", "unlink", "leder-akut"], obj=context, catch_exceptions=False)
    assert done.exit_code == 0 and "1 single sign-on identity of leder-akut forgotten" in done.output
    assert sso.sign_in_external(ISSUER, {"sub": "oid-new", "employee_id": "leder-akut"}, T0).id == "leder-akut"
    assert [e.action for e in sso.events() if e.action == "external_identity_unlinked"]
