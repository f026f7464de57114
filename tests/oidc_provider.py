"""A real OpenID Connect provider on loopback for the tests (oidc-provider-mock): discovery, keys, tokens, log-out.

It signs its ID tokens with a key of its own, made when it starts; vaern fetches the key from its JWKS
endpoint and checks every token as it would Entra ID's. People are put in with the claims their tokens carry.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
import werkzeug.serving
from oidc_provider_mock import app as provider_app


@dataclass
class Provider:
    """A running provider: its issuer URL (also its address)."""

    issuer: str
    port: int

    def put_person(self, subject: str, **claims) -> None:
        """Make (or change) the account `subject` and the claims its tokens carry."""
        response = requests.put(f"{self.issuer}/users/{subject}", json=claims, timeout=10)
        response.raise_for_status()

    def log_in(self, authorize_url: str, subject: str, **changes: str) -> str:
        """Log in at the provider's form as `subject`; returns where it sends the browser back (vaern's callback).

        `changes` replace parameters of the authorization request first, as a tampered link would.
        """
        if changes:
            parts = urlsplit(authorize_url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            query.update(changes)
            authorize_url = urlunsplit(parts._replace(query=urlencode(query)))
        response = requests.post(authorize_url, data={"sub": subject}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


@contextmanager
def running_provider(port: int = 0, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[Provider]:
    """A provider listening on 127.0.0.1 for the block's duration, then stopped."""
    server = werkzeug.serving.make_server("127.0.0.1", port, provider_app(require_nonce=True,
                                                                          access_token_max_age=token_max_age),
                                          threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}", server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
