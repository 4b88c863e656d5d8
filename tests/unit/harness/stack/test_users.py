"""Users made through POST /users and ids read back from list pages, against a small
HTTP service on loopback that answers as a team's User API might: UUID-like ids, a page
as a bare list, one 429 to wait out."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.stack.users import create_users, listed_ids


class _Service(BaseHTTPRequestHandler):
    users: list[str] = []
    refused_once = {"done": False}
    lock = threading.Lock()

    def log_message(self, *_):
        pass

    def _answer(self, status: int, body, headers=None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        with self.lock:
            if not self.refused_once["done"]:
                self.refused_once["done"] = True
                return self._answer(429, {"error": "slow down"}, {"Retry-After": "0"})
            user_id = f"u-{len(self.users):04d}"
            self.users.append(user_id)
        self._answer(201, {"id": user_id})

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        after, limit = query.get("after", [""])[0], int(query["limit"][0])
        self._answer(200, [{"id": u} for u in sorted(self.users) if u > after][:limit])


@pytest.fixture
def service():
    _Service.users, _Service.refused_once = [], {"done": False}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_users_are_made_through_the_api_and_their_ids_are_the_ones_it_answered(service):
    tokens = []
    made = create_users(service, 60, lambda sub: tokens.append(sub) or "token")
    assert sorted(made) == sorted(_Service.users) and len(set(made)) == 60
    assert len(set(tokens)) == 3  # a client per 25 creates: a per-client limit never slows the seeding


def test_ids_are_read_back_from_keyset_pages_of_a_bare_list(service):
    create_users(service, 230, lambda sub: "token")
    assert listed_ids(service, "token", 1000) == sorted(_Service.users)
    assert listed_ids(service, "token", 150) == sorted(_Service.users)[:150]


def test_a_create_that_gets_no_answer_is_a_harness_error():
    with pytest.raises(HarnessError, match="POST /users got no answer"):
        create_users("http://127.0.0.1:9", 1, lambda sub: "token", deadline_s=1)


def test_an_answer_that_is_not_a_page_of_users_is_a_harness_error():
    import requests

    from runbook_drill.harness.stack.users import page_items

    answer = requests.Response()
    answer.status_code, answer._content = 200, b'{"total": 3}'
    with pytest.raises(HarnessError, match="not a page of users"):
        page_items(answer)
    answer._content = b'{"items": [{"id": 1}], "next_after": 1}'
    assert page_items(answer) == [{"id": 1}]
