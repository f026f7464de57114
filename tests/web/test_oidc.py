"""Single sign-on end to end against a real OpenID Connect provider on loopback: tokens signed, fetched and
checked for real (signature, issuer, audience, nonce, expiry); nothing of the check is faked."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml
from sqlalchemy import select

from engine import DEMO_PASSWORD, Settings
from engine.models import Event, ExternalIdentity
from tests.conftest import DEMO_ORG
from tests.oidc_provider import running_provider
from tests.web.conftest import login, make_app

ADMINS = "vaern-admins"


@pytest.fixture
def provider():
    with running_provider() as running:
        yield running


def _app(db_path, provider, **settings):
    values = {"database_url": f"sqlite:///{db_path}", "oidc_issuer": provider.issuer, "oidc_client_id": "vaern",
              "oidc_client_secret": "vaern-secret", "oidc_admin_value": ADMINS, **settings}
    return make_app(db_path, VAERN_SETTINGS=Settings(**values))


@pytest.fixture
def sso_app(db_path, provider):
    app = _app(db_path, provider)
    yield app
    app.extensions["vaern"].db.dispose()


def _sso(client, provider, subject, **changes):
    """Log in through the provider; returns vaern's answer to the provider's redirect back."""
    started = client.get("/login/sso")
    assert started.status_code == 302
    authorize = started.headers["Location"]
    assert authorize.startswith(f"{provider.issuer}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    # The code flow with PKCE, state and nonce.
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] and query["state"] and query["nonce"]
    back = urlsplit(provider.log_in(authorize, subject, **changes))
    assert back.path == "/login/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def test_a_person_logs_in_by_the_employee_number_and_is_then_known_by_issuer_and_subject(sso_app, provider):
    provider.put_person("entra-oid-1", employee_id="leder-akut", email="someone.else@demo.invalid")
    client = sso_app.test_client()
    answer = _sso(client, provider, "entra-oid-1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and "Lene Leder" in page.get_data(as_text=True)
    vaern = sso_app.extensions["vaern"]
    with vaern.uow() as uow:
        rows = [tuple(r) for r in uow.session.execute(select(ExternalIdentity.issuer, ExternalIdentity.subject,
                                                                ExternalIdentity.person_id))]
    assert rows == [(provider.issuer, "entra-oid-1", "leder-akut")]
    # Later the claim may change (a new employee number, another e-mail): the subject still names the person.
    provider.put_person("entra-oid-1", employee_id="ansat-akut", email="ansat-akut@demo.invalid")
    other = sso_app.test_client()
    assert _sso(other, provider, "entra-oid-1").status_code == 302
    assert "Lene Leder" in other.get("/").get_data(as_text=True)


def test_a_token_with_the_wrong_nonce_is_refused(sso_app, provider, caplog):
    provider.put_person("entra-oid-1", employee_id="leder-akut")
    client = sso_app.test_client()
    answer = _sso(client, provider, "entra-oid-1", nonce="a-nonce-vaern-never-sent")
    assert answer.status_code == 401 and "Invalid claim: 'nonce'" in caplog.text
    assert client.get("/").status_code == 302  # not logged in


def test_a_forged_state_is_refused(sso_app, provider, caplog):
    provider.put_person("entra-oid-1", employee_id="leder-akut")
    client = sso_app.test_client()
    answer = _sso(client, provider, "entra-oid-1", state="a-state-vaern-never-sent")
    assert answer.status_code == 401 and "MismatchingStateError" in caplog.text and client.get("/").status_code == 302


def test_an_expired_token_is_refused(db_path, caplog):
    with running_provider(token_max_age=timedelta(minutes=-10)) as expired:
        app = _app(db_path, expired)
        expired.put_person("entra-oid-1", employee_id="leder-akut")
        client = app.test_client()
        answer = _sso(client, expired, "entra-oid-1")
        assert answer.status_code == 401 and "The token is expired" in caplog.text
        assert client.get("/").status_code == 302
        app.extensions["vaern"].db.dispose()


def test_someone_the_organisation_does_not_know_is_refused(sso_app, provider):
    provider.put_person("entra-oid-9", employee_id="nobody-here")
    client = sso_app.test_client()
    answer = _sso(client, provider, "entra-oid-9")
    assert answer.status_code == 403 and "vaern kender dig ikke" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302
    provider.put_person("entra-oid-8", email="leder-akut@demo.invalid")  # e-mail never matches anyone
    assert _sso(sso_app.test_client(), provider, "entra-oid-8").status_code == 403


def _leave(vaern, person_id):
    org = yaml.safe_load(DEMO_ORG.read_text(encoding="utf-8"))
    people = [{**p, "roles": [r["role"] if r["unit"] == p["unit"] else f"{r['role']}@{r['unit']}"
                              for r in org["roles"] if r["person"] == p["id"]]}
              for p in org["people"] if p["id"] != person_id]
    vaern.apply_sync(yaml.safe_dump({"units": org["units"], "people": people}), "org.yaml", "admin",
                     datetime.now(timezone.utc))


def test_a_person_who_left_is_refused_and_their_session_ends(sso_app, provider):
    provider.put_person("entra-oid-2", employee_id="ansat-akut")
    client = sso_app.test_client()
    assert _sso(client, provider, "entra-oid-2").status_code == 302
    assert client.get("/").status_code == 200
    _leave(sso_app.extensions["vaern"], "ansat-akut")
    assert client.get("/").status_code == 302  # the open session ends at the next request
    answer = _sso(sso_app.test_client(), provider, "entra-oid-2")
    assert answer.status_code == 403 and "ikke længere i organisationen" in answer.get_data(as_text=True)
    # Nor does a local password open it.
    assert login(sso_app.test_client(), "ansat-akut").status_code == 401


def test_administrator_by_the_group_claim_given_and_taken_back(sso_app, provider):
    provider.put_person("entra-oid-3", employee_id="leder-psyk", groups=[ADMINS, "alle"])
    client = sso_app.test_client()
    assert _sso(client, provider, "entra-oid-3").status_code == 302
    assert client.get("/admin/diagrams").status_code == 200
    provider.put_person("entra-oid-3", employee_id="leder-psyk", groups=["alle"])
    again = sso_app.test_client()
    assert _sso(again, provider, "entra-oid-3").status_code == 302
    assert again.get("/admin/diagrams").status_code == 403
    with sso_app.extensions["vaern"].uow() as uow:
        flags = [e["admin"] for e in uow.session.scalars(select(Event.details).where(
            Event.action == "signed_in_external"))]
    assert flags == [True, False]


def test_log_out_ends_vaerns_session_and_the_providers(sso_app, provider):
    provider.put_person("entra-oid-1", employee_id="leder-akut")
    client = sso_app.test_client()
    _sso(client, provider, "entra-oid-1")
    out = client.post("/logout")
    assert out.status_code == 302 and out.headers["Location"].startswith(f"{provider.issuer}/oauth2/end_session?")
    query = parse_qs(urlsplit(out.headers["Location"]).query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"] and query["id_token_hint"]
    assert client.get("/").status_code == 302
    assert "form-action 'self' " + provider.issuer in out.headers["Content-Security-Policy"]


def test_keys_are_fetched_again_when_the_provider_rotates_them(db_path):
    with running_provider() as first:
        app = _app(db_path, first)
        first.put_person("entra-oid-1", employee_id="leder-akut")
        assert _sso(app.test_client(), first, "entra-oid-1").status_code == 302
        port = first.port
    # The same provider restarted with a new signing key (a new key id): vaern's cached keys do not know it.
    with running_provider(port=port) as rotated:
        rotated.put_person("entra-oid-1", employee_id="leder-akut")
        client = app.test_client()
        assert _sso(client, rotated, "entra-oid-1").status_code == 302
        assert client.get("/").status_code == 200
    app.extensions["vaern"].db.dispose()


def test_local_passwords_off_leaves_only_the_break_glass_account(db_path, provider):
    app = _app(db_path, provider, local_passwords=False, break_glass_accounts=frozenset({"koncern-hr"}))
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Log ind med Region Midtjylland" in page and "Nødadgang for administratorer" in page
    assert login(app.test_client(), "leder-akut", DEMO_PASSWORD).status_code == 401
    assert login(app.test_client(), "koncern-hr", DEMO_PASSWORD).status_code == 302
    app.extensions["vaern"].db.dispose()


@pytest.mark.parametrize("target, lands", [("/cases/1", "/cases/1"), ("//evil.invalid/x", "/"),
                                           ("/\\evil.invalid", "/"), ("https://evil.invalid", "/")])
def test_after_log_in_only_a_path_on_this_site(sso_app, provider, target, lands):
    provider.put_person("entra-oid-1", employee_id="leder-akut")
    client = sso_app.test_client()
    started = client.get(f"/login/sso?next={quote(target)}")
    back = urlsplit(provider.log_in(started.headers["Location"], "entra-oid-1"))
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == lands


def test_log_out_with_the_provider_gone_still_logs_out_of_vaern(db_path):
    with running_provider() as gone:
        app = _app(db_path, gone)
        gone.put_person("entra-oid-1", employee_id="leder-akut")
        client = app.test_client()
        assert _sso(client, gone, "entra-oid-1").status_code == 302
        # Another worker process: it has not read the provider's metadata yet.
        app.extensions["vaern_oidc"].server_metadata.clear()
    out = client.post("/logout")
    assert out.status_code == 302 and out.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    app.extensions["vaern"].db.dispose()
