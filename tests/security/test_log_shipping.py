"""LOG-05 [L3]: logs and audit rows shipped to a separate syslog collector as they happen; a
killed app has lost nothing it logged; a collector that stops answering is reported (stderr
and /healthz) and never breaks a request. Real UDP and TCP collectors on loopback."""

import contextlib
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cases.models import AuditEntry
from cases.services import audit_log
from config.logging import JsonFormatter, ShippingSysLogHandler, parse_syslog_address
from tests.factories import make_edition

ROOT = Path(__file__).resolve().parents[2]
LOCAL0_INFO = "<134>"  # facility local0 (16) * 8 + info (6)


class TcpCollector:
    """A syslog collector over TCP: one thread per connection, newline-framed messages."""

    def __init__(self, port=0):
        self.lines = queue.Queue()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.connections = []
        self.closed = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with self._lock:
                if self.closed:  # accepted while close() ran: it would stay open otherwise
                    connection.close()
                    return
                self.connections.append(connection)
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection):
        buffer = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                self.lines.put(line.decode("utf-8"))

    def take(self, count, timeout=10):
        return [self.lines.get(timeout=timeout) for _ in range(count)]

    def close(self):
        # shutdown() first: close() alone leaves a listener blocked in accept() listening.
        with self._lock:
            self.closed = True
            connections = list(self.connections)
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


@pytest.fixture
def tcp_collector():
    collector = TcpCollector()
    yield collector
    collector.close()


def shipper(address, protocol):
    handler = ShippingSysLogHandler(address, protocol)
    handler.setFormatter(JsonFormatter())
    return handler


@pytest.fixture
def logger():
    log = logging.getLogger("tests.shipping")
    log.setLevel(logging.INFO)
    log.propagate = False
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()


def body(line):
    assert line.startswith("<"), line
    return json.loads(line[line.index(">") + 1 :])


def test_an_address_is_host_and_port_or_a_socket_path():
    assert parse_syslog_address("logs.example.org:514") == ("logs.example.org", 514)
    assert parse_syslog_address("[::1]:6514") == ("::1", 6514)
    assert parse_syslog_address("/dev/log") == "/dev/log"
    with pytest.raises(ValueError, match="host:port"):
        parse_syslog_address("logs.example.org")


def test_records_reach_a_udp_collector_as_json_with_their_priority(logger):
    collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    collector.bind(("127.0.0.1", 0))
    collector.settimeout(10)
    logger.addHandler(shipper(f"127.0.0.1:{collector.getsockname()[1]}", "udp"))

    logger.info("登录失败\r\nforged line")
    datagram = collector.recv(65536).decode("utf-8")
    collector.close()

    assert datagram.startswith(LOCAL0_INFO)
    assert "\n" not in datagram and "\r" not in datagram
    assert body(datagram)["message"] == "登录失败\r\nforged line"


def test_records_reach_a_tcp_collector_one_per_line(logger, tcp_collector):
    logger.addHandler(shipper(f"127.0.0.1:{tcp_collector.port}", "tcp"))

    logger.warning("first")
    logger.info("second")

    first, second = tcp_collector.take(2)
    assert first.startswith("<132>") and body(first)["message"] == "first"  # local0.warning
    assert body(second)["message"] == "second"


@pytest.mark.django_db(transaction=True)
def test_audit_rows_are_shipped_with_their_chain_hash_once_committed(tcp_collector):
    audit = logging.getLogger("audit")
    handler = shipper(f"127.0.0.1:{tcp_collector.port}", "tcp")
    level, handlers = audit.level, audit.handlers[:]
    audit.setLevel(logging.INFO)
    audit.addHandler(handler)
    try:
        entry = audit_log(code="cases.edition.test", obj=make_edition(), data={"k": 1})
        (line,) = tcp_collector.take(1)
    finally:
        audit.setLevel(level)
        audit.handlers[:] = handlers
        handler.close()

    shipped = body(line)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert shipped["message"] == "audit cases.edition.test"
    assert shipped["audit_seq"] == stored.seq
    assert shipped["audit_hash"] == stored.hash
    assert shipped["audit_prev_hash"] == stored.prev_hash


def test_a_killed_process_has_lost_nothing_it_logged(tcp_collector):
    script = (
        "import logging, os, signal, django\n"
        "django.setup()\n"
        "log = logging.getLogger('tests.killed')\n"
        "for i in range(50):\n"
        "    log.warning('line %d', i)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_SYSLOG_ADDRESS": f"127.0.0.1:{tcp_collector.port}",
        "LOG_SYSLOG_PROTOCOL": "tcp",
    }
    process = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60
    )

    assert process.returncode == -signal.SIGKILL
    lines = [body(line) for line in tcp_collector.take(50)]
    assert [line["message"] for line in lines] == [f"line {i}" for i in range(50)]


@pytest.mark.django_db
def test_a_collector_that_stops_is_reported_and_never_breaks_a_request(
    client, tcp_collector, capsys
):
    port = tcp_collector.port
    handler = shipper(f"127.0.0.1:{port}", "tcp")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        assert client.get("/healthz").json()["checks"]["log_shipping"] == "ok"
        (heartbeat,) = tcp_collector.take(1)  # the link is up at both ends before it is cut
        assert body(heartbeat)["message"] == "log shipping heartbeat"

        tcp_collector.close()
        logging.getLogger("tests.shipping").warning("while the collector is down")
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["log_shipping"].startswith("error: ")
        assert f"log shipping to tcp://127.0.0.1:{port} failed" in capsys.readouterr().err

        restarted = TcpCollector(port)
        try:
            health = client.get("/healthz").json()
            assert health["checks"]["log_shipping"] == "ok"
            assert "works again" in capsys.readouterr().err
        finally:
            restarted.close()
    finally:
        root.removeHandler(handler)
        handler.close()


def test_a_collector_down_at_start_does_not_stop_the_app():
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()

    handler = shipper(f"127.0.0.1:{port}", "tcp")  # nothing listens: no exception
    try:
        assert handler.failure is not None
        assert handler.ship("still no collector") is False
    finally:
        handler.close()
