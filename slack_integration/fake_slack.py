"""A loopback HTTP server that speaks enough of the Slack Web API for tests and demos.

It is the stand-in for the one service we cannot reach: point ``SLACK_API_BASE_URL`` at
``server.base_url`` and every WebClient in the app talks to it over real HTTP. It records
each call (method, parameters, time) and answers from a small world model (channels,
users) plus any scripted responses a test queues, such as a 429 with ``Retry-After``.

Run it alone with ``python -m slack_integration.fake_slack --port 8099`` (used by
``simulate`` and ``make bench``).
"""

import argparse
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

DEFAULT_CHANNELS = {
    "C0CUST1": {
        "name": "acme-globex",
        "is_private": False,
        "is_ext_shared": True,
        "is_shared": True,
        "connected_team_ids": ["T0GLOBEX"],
    },
    "C0CUST2": {
        "name": "acme-initech",
        "is_private": False,
        "is_ext_shared": True,
        "is_shared": True,
        "connected_team_ids": ["T0INITECH"],
    },
    "G0PRIV1": {"name": "acme-private-escalations", "is_private": True, "is_ext_shared": False},
    "C0TRIAGE": {"name": "support-triage", "is_private": False, "is_ext_shared": False},
}
DEFAULT_USERS = {
    "U0CUST1": {"name": "gina", "real_name": "Gina Globex", "team_id": "T0GLOBEX"},
    "U0CUST2": {"name": "ivan", "real_name": "Ivan Initech", "team_id": "T0INITECH"},
    "U0VEND1": {
        "name": "vera",
        "real_name": "Vera Vendor",
        "team_id": "T0001",
        "email": "vera@acme.example",
    },
    "U0VEND2": {
        "name": "victor",
        "real_name": "Victor Vendor",
        "team_id": "T0001",
        "email": "victor@acme.example",
    },
    "U0BOT": {"name": "thena", "real_name": "Thena", "team_id": "T0001", "is_bot": True},
}


@dataclass
class Call:
    """One captured Web API call."""

    method: str
    params: dict[str, Any]
    token: str
    at: float


@dataclass
class Scripted:
    """A response to give instead of the world model's, for the next call of a method."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0


def _parse_params(handler: BaseHTTPRequestHandler, raw: bytes) -> dict[str, Any]:
    content_type = handler.headers.get("Content-Type", "")
    if "application/json" in content_type:
        return json.loads(raw or b"{}")
    params = {key: values[-1] for key, values in parse_qs(raw.decode()).items()}
    query = handler.path.partition("?")[2]
    params.update({key: values[-1] for key, values in parse_qs(query).items()})
    for key in ("blocks", "view", "attachments"):
        if isinstance(params.get(key), str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params


class FakeSlack:
    """The server and its recorded calls. Use as a context manager or call start()/stop()."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, team_id: str = "T0001"):
        self.team_id = team_id
        self.channels: dict[str, dict[str, Any]] = json.loads(json.dumps(DEFAULT_CHANNELS))
        self.users: dict[str, dict[str, Any]] = json.loads(json.dumps(DEFAULT_USERS))
        self.calls: list[Call] = []
        self.scripted: dict[str, list[Scripted]] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def start(self) -> "FakeSlack":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeSlack":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def script(self, method: str, *responses: Scripted) -> None:
        """Queues responses for the next calls of ``method`` (then the model answers again)."""
        with self._lock:
            self.scripted.setdefault(method, []).extend(responses)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.scripted.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Waits until ``count`` calls of ``method`` arrived (for tests with real workers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_to(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        return self.calls_to(method)

    # --- the world model --------------------------------------------------------------
    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_" + method.replace(".", "_").lower(), None)
        return handler(params) if handler else {"ok": True}

    def _next_ts(self) -> str:
        return f"{1741100000 + next(self._ts)}.000100"

    def _auth_test(self, params: dict) -> dict:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "thena",
            "team_id": self.team_id,
            "user_id": "U0BOT",
            "bot_id": "B0BOT",
        }

    def _team_info(self, params: dict) -> dict:
        return {
            "ok": True,
            "team": {"id": params.get("team", self.team_id), "name": "Acme", "domain": "acme"},
        }

    def _chat_postmessage(self, params: dict) -> dict:
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": params.get("channel"),
            "ts": ts,
            "message": {"ts": ts, "text": params.get("text", "")},
        }

    def _chat_update(self, params: dict) -> dict:
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}

    def _chat_postephemeral(self, params: dict) -> dict:
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_getpermalink(self, params: dict) -> dict:
        ts = str(params.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": params.get("channel"),
            "permalink": f"https://acme.slack.com/archives/{params.get('channel')}/p{ts}",
        }

    def _conversations_info(self, params: dict) -> dict:
        channel_id = params.get("channel", "")
        channel = self.channels.get(channel_id)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {
                "id": channel_id,
                "is_channel": True,
                "is_member": True,
                "is_archived": False,
                **channel,
            },
        }

    def _conversations_open(self, params: dict) -> dict:
        users = str(params.get("users", ""))
        return {"ok": True, "channel": {"id": "D" + users.replace(",", "")[:10]}}

    def _users_info(self, params: dict) -> dict:
        user_id = params.get("user", "")
        user = self.users.get(user_id)
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        profile = {
            "real_name": user.get("real_name", ""),
            "display_name": user.get("name", ""),
            "email": user.get("email", ""),
        }
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": user["team_id"],
                "name": user["name"],
                "real_name": user.get("real_name"),
                "is_bot": user.get("is_bot", False),
                "profile": profile,
                "is_stranger": user["team_id"] != self.team_id,
            },
        }

    def _views_open(self, params: dict) -> dict:
        return {"ok": True, "view": {"id": "V0MODAL0001", **(params.get("view") or {})}}

    def _views_publish(self, params: dict) -> dict:
        return {"ok": True, "view": {"id": "V0HOME0001", **(params.get("view") or {})}}

    def _oauth_v2_access(self, params: dict) -> dict:
        return {
            "ok": True,
            "app_id": "A0APP1",
            "access_token": "xoxb-installed-token",
            "token_type": "bot",
            "scope": "channels:history,chat:write",
            "bot_user_id": "U0BOT",
            "team": {"id": self.team_id, "name": "Acme"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0VEND1"},
        }

    # --- HTTP -------------------------------------------------------------------------
    def _report(self, handler: BaseHTTPRequestHandler) -> None:
        """``GET /_calls``: the recorded calls as JSON, for a test driving another process."""
        with self._lock:
            data = json.dumps([call.__dict__ for call in self.calls]).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/_calls"):
            self._report(handler)
            return
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        method = handler.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        try:
            params = _parse_params(handler, raw)
        except ValueError:
            params = {}
        token = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        token = token or str(params.get("token", ""))
        with self._lock:
            self.calls.append(Call(method, params, token, time.time()))
            queue = self.scripted.get(method)
            scripted = queue.pop(0) if queue else None
        if scripted is not None:
            time.sleep(scripted.delay_seconds)
            status, body, headers = scripted.status, scripted.body, scripted.headers
        else:
            status, body, headers = 200, self.answer(method, params), {}
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a loopback Slack Web API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    arguments = parser.parse_args()
    server = FakeSlack(arguments.host, arguments.port)
    server.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
