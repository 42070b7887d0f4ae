"""A client of clamd's INSTREAM protocol (clamd(8), "INSTREAM"): the bytes go to the daemon
in length-prefixed chunks over its Unix socket or TCP port; it answers `stream: OK`,
`stream: <signature> FOUND` or an error. Written here rather than taken from PyPI because
the one Python client (`clamd`, last released 2014) is unmaintained, and the protocol is
these few lines.

Configured by `CLAMD_SOCKET` (a Unix socket path) or `CLAMD_HOST` + `CLAMD_PORT`; with
neither set, no scan runs (the embedded default)."""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not answer: uploads are refused (fail closed)."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


def scanner_configured():
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect():
    timeout = settings.CLAMD_TIMEOUT
    try:
        if settings.CLAMD_SOCKET:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(settings.CLAMD_SOCKET)
        else:
            sock = socket.create_connection(
                (settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout
            )
    except OSError as error:
        raise ScannerUnavailable(f"{type(error).__name__}: {error}") from error
    sock.settimeout(timeout)
    return sock


def _reply(sock):
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping():
    """True when clamd answers PONG; raises `ScannerUnavailable` otherwise."""
    with _connect() as sock:
        try:
            sock.sendall(b"zPING\0")
            answer = _reply(sock)
        except OSError as error:
            raise ScannerUnavailable(f"{type(error).__name__}: {error}") from error
    if answer != "PONG":
        raise ScannerUnavailable(f"unexpected answer to PING: {answer!r}")
    return True


def scan(file):
    """Scan an open binary file from its start; leaves it rewound."""
    file.seek(0)
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in iter(lambda: file.read(CHUNK), b""):
                sock.sendall(struct.pack(">L", len(chunk)) + chunk)
            sock.sendall(struct.pack(">L", 0))
            answer = _reply(sock)
    except OSError as error:
        raise ScannerUnavailable(f"{type(error).__name__}: {error}") from error
    finally:
        file.seek(0)
    if answer == "stream: OK":
        return ScanResult(infected=False)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return ScanResult(infected=True, signature=answer[len("stream: ") : -len(" FOUND")])
    raise ScannerUnavailable(f"clamd answered {answer!r}")
