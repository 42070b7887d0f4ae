"""Structured logs: one JSON object per line on stdout, for the platform's log collector."""

import json
import logging
import logging.handlers
import select
import socket
import sys
import time
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


class ShippingSysLogHandler(logging.handlers.SysLogHandler):
    """Ships every log record to a separate syslog collector (SECURITY.md LOG-05, [L3]):
    `LOG_SYSLOG_ADDRESS` is `host:port` or a Unix socket path, `LOG_SYSLOG_PROTOCOL` `udp` or
    `tcp`. Each record is sent when it is logged (no buffer in the process), so a killed
    process loses nothing it logged.

    A collector that is down never breaks a request: the failure is remembered
    (`failure`), reported once on stderr for the process manager's log and by /healthz
    (`degraded`), and the connection is made again at the next record. TCP messages are
    framed by a newline (RFC 6587 non-transparent framing, what rsyslog and syslog-ng read).
    """

    HEARTBEAT_SECONDS = 60

    def __init__(self, address, protocol="udp", facility="local0"):
        self.protocol = protocol
        self.failure = None
        self._last_heartbeat = 0.0
        socktype = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
        super().__init__(
            address=parse_syslog_address(address), facility=facility, socktype=socktype
        )
        self.append_nul = False

    def createSocket(self):
        try:
            super().createSocket()
            if not self.unixsocket and self.socktype == socket.SOCK_DGRAM:
                # Connected, so that an ICMP "port unreachable" is reported on the next send.
                self.socket.connect(self.address)
        except OSError as error:
            self.socket = None
            self._failed(error)

    def emit(self, record):
        try:
            self.ship(self.format(record), record.levelname)
        except Exception:  # a log handler never raises into the caller
            self.handleError(record)

    def ship(self, text, levelname="INFO"):
        """Send one message; True when it went out. Reconnects once after a broken link."""
        prio = f"<{self.encodePriority(self.facility, self.mapPriority(levelname))}>"
        payload = (prio + (self.ident or "") + text).encode("utf-8")
        if not self.unixsocket and self.socktype == socket.SOCK_STREAM:
            payload += b"\n"
        if self.socket is not None and self._peer_closed():
            self.socket.close()
            self.socket = None
        for attempt in (1, 2):
            if self.socket is None:
                self.createSocket()
                if self.socket is None:
                    return False
            try:
                if self.unixsocket or self.socktype == socket.SOCK_DGRAM:
                    self.socket.send(payload)
                else:
                    self.socket.sendall(payload)
            except OSError as error:
                self.socket.close()
                self.socket = None
                if attempt == 2:
                    self._failed(error)
                    return False
            else:
                if self.failure is not None:
                    sys.stderr.write(f"log shipping to {self._where()} works again\n")
                self.failure = None
                return True
        return False

    def heartbeat(self):
        """For /healthz: the state of the link, checked by sending a heartbeat message at
        most once a minute (a link can break while nothing is logged)."""
        now = time.monotonic()
        due = now - self._last_heartbeat >= self.HEARTBEAT_SECONDS
        if due or self.failure is not None or (self.socket is not None and self._peer_closed()):
            self._last_heartbeat = now
            self.ship(json.dumps({"message": "log shipping heartbeat"}), "DEBUG")
        return self.failure

    def _peer_closed(self):
        """A stream the collector has closed: readable at once (EOF; a collector sends
        nothing). A write would still succeed once before the reset is noticed."""
        if self.unixsocket or self.socktype != socket.SOCK_STREAM:
            return False
        try:
            readable, _, _ = select.select([self.socket], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _where(self):
        address = self.address
        return (
            address if isinstance(address, str) else f"{self.protocol}://{address[0]}:{address[1]}"
        )

    def _failed(self, error):
        if self.failure is None:
            sys.stderr.write(f"log shipping to {self._where()} failed: {error}\n")
        self.failure = f"{type(error).__name__}: {error}"


def parse_syslog_address(address):
    """`host:port` → (host, port); a path (starting with /) stays a Unix socket path."""
    if address.startswith("/"):
        return address
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"LOG_SYSLOG_ADDRESS must be host:port or a socket path: {address!r}")
    return (host.strip("[]"), int(port))


def shipping_handlers():
    """The syslog shippers attached to the root logger (for /healthz)."""
    return [h for h in logging.getLogger().handlers if isinstance(h, ShippingSysLogHandler)]
