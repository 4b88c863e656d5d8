"""Small real TCP peers on loopback - an echo server and a blob server, each on a free
port in a thread of its own, bounded in time - and a client's helpers: what measures
a proxy (the fault proxy's tests and its benchmark)."""

from __future__ import annotations

import socket
import socketserver
import threading
import time


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(30)
        try:
            while data := self.request.recv(65536):
                self.request.sendall(data)
        except OSError:
            pass


def _blob_handler(size: int, close_after: bool):
    payload = expected_blob(size)  # made once: its making must not count in a timing

    class _Blob(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            try:
                self.request.sendall(payload)
                if not close_after:
                    self.request.settimeout(30)
                    self.request.recv(1)
            except OSError:
                pass
    return _Blob


class Peer:
    """A running server; use as a context manager. `address` is "127.0.0.1:port"."""

    def __init__(self, handler) -> None:
        self.server = _Server(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> "Peer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def echo_server() -> Peer:
    return Peer(_Echo)


def blob_server(size: int, close_after: bool = True) -> Peer:
    """A server that sends `size` known bytes (i % 251) to each client, then closes."""
    return Peer(_blob_handler(size, close_after))


def expected_blob(size: int) -> bytes:
    return bytes(i % 251 for i in range(size))


def connect(address: str, timeout: float = 5.0) -> socket.socket:
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        piece = sock.recv(size - len(data))
        if not piece:
            break
        data += piece
    return bytes(data)


def recv_all(sock: socket.socket) -> bytes:
    """Returns everything until EOF (bounded by the socket's timeout)."""
    data = bytearray()
    while piece := sock.recv(65536):
        data += piece
    return bytes(data)


def round_trip(sock: socket.socket, payload: bytes = b"x") -> float:
    """Returns the seconds one echo of `payload` takes."""
    started = time.perf_counter()
    sock.sendall(payload)
    echoed = recv_exactly(sock, len(payload))
    if echoed != payload:
        raise ConnectionError(f"echo returned {len(echoed)} bytes that differ from the {len(payload)} sent")
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
