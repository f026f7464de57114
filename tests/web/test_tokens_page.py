"""A person's own page of API tokens: made with a CSRF token, shown once, listed without the secret, revoked."""
from __future__ import annotations

import re

from tests.web.conftest import as_person, csrf_token


def test_a_token_is_made_shown_once_and_revoked_on_the_persons_own_page(csrf_app):
    vaern = csrf_app.extensions["vaern"]
    client = csrf_app.test_client()
    as_person(client, vaern, "leder-akut")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "API-nøgler" in page.get_data(as_text=True)
    # A cookie-authenticated form: without its CSRF token nothing is made.
    assert client.post("/account/tokens", data={"name": "x", "days": "30", "scopes": ["tasks:read"]}).status_code == 400
    assert vaern.api_tokens.tokens_of("leder-akut") == []
    made = client.post("/account/tokens", data={"name": "Mit script", "days": "30", "scopes": ["tasks:read"],
                                                "csrf_token": csrf_token(client, "/account/tokens")})
    html = made.get_data(as_text=True)
    secret = re.search(r'<code class="token">(vaern_pat_[^<]+)</code>', html).group(1)
    assert made.status_code == 200 and "vises kun denne ene gang" in html
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert secret not in client.get("/account/tokens").get_data(as_text=True)  # never shown again
    [token] = vaern.api_tokens.tokens_of("leder-akut")
    assert token.name == "Mit script" and token.scopes == ("tasks:read",)
    revoked = client.post(f"/account/tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert revoked.status_code == 302
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "Trukket tilbage" in client.get("/account/tokens").get_data(as_text=True)


def test_a_token_form_with_nothing_chosen_says_what_is_missing(client, vaern):
    as_person(client, vaern, "leder-akut")
    answer = client.post("/account/tokens", data={"name": "", "days": "5000"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for message in ("Giv nøglen et navn", "Vælg, hvor længe nøglen gælder", "Vælg mindst én ting"):
        assert message in html


def test_nobody_revokes_another_persons_token(client, vaern):
    from datetime import datetime, timezone

    issued = vaern.api_tokens.create_personal_token("ansat-akut", "x", ["tasks:read"], 30, datetime.now(timezone.utc))
    as_person(client, vaern, "leder-akut")
    assert client.post(f"/account/tokens/{issued.info.id}/revoke").status_code == 302
    assert vaern.api_tokens.authenticate(issued.secret, datetime.now(timezone.utc)) is not None
