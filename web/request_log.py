"""The request log leaves out the anonymous writer's pages: no line names their path, address or browser.

Flask's development server logs every request through the `werkzeug` logger, and gunicorn through its access
log; both get a filter here (gunicorn through `gunicorn.conf.py`'s `logger_class`).
"""
from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

ANONYMOUS_PREFIX = "/anonym"
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # the development server colours its lines on a terminal


def is_anonymous_path(path: str) -> bool:
    """True for the writer's pages (/anonym and below), whatever follows."""
    return path == ANONYMOUS_PREFIX or path.startswith(ANONYMOUS_PREFIX + "/") or path.startswith(ANONYMOUS_PREFIX + "?")


class SkipAnonymous(logging.Filter):
    """Drops the development server's request lines for the writer's pages."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = _COLOURS.sub("", record.getMessage())
        # The request line is quoted: '"POST /anonym/henvendelse HTTP/1.1" 200 -'.
        for method in ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"):
            marker = f'"{method} '
            if marker in message:
                path = message.split(marker, 1)[1].split(" ", 1)[0]
                return not is_anonymous_path(path)
        return True


def install() -> None:
    """Put the filter on the development server's request logger (once)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, SkipAnonymous) for f in logger.filters):
        logger.addFilter(SkipAnonymous())


class AnonymousSafeLogger(GunicornLogger):
    """gunicorn's logger, writing no access-log line for the writer's pages."""

    def access(self, resp, req, environ, request_time):
        """Log the request as gunicorn does, unless it is one of the writer's pages."""
        if is_anonymous_path(environ.get("PATH_INFO", "") or ""):
            return
        super().access(resp, req, environ, request_time)
