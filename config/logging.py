"""Structured logs: one JSON object per line on stdout, for the platform's log collector."""

import json
import logging
from datetime import UTC, datetime


def _escape_controls(text):
    # CR, LF and other control characters as visible escapes: a logged value can never
    # start a forged log line (SECURITY.md LOG-04).
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


class TextFormatter(logging.Formatter):
    """One line per record in the development format; the traceback, if any, follows."""

    def formatMessage(self, record):
        return _escape_controls(super().formatMessage(record))


class JsonFormatter(logging.Formatter):
    RESERVED = set(vars(logging.makeLogRecord({})))

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self.RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class CacheOutageFilter(logging.Filter):
    """One line per ignored cache error (django-redis logs each with its traceback): during
    an outage every request meets several, and the reason is all an operator needs."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"cache unreachable, treated as a miss: {type(error).__name__}: {error}"
            record.args = ()
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
