"""Shared fixtures: one trained model per test session, real loopback servers for the LLM."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from requests_app.detection import DetectionPipeline, LocalClassifier, build_pipeline, load_or_train


@pytest.fixture(scope="session")
def detector_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("detector-cache")


@pytest.fixture(scope="session")
def classifier(detector_cache_dir: Path) -> LocalClassifier:
    """The model trained on the shipped data, built once into a temporary cache."""
    return load_or_train(cache_dir=detector_cache_dir)


@pytest.fixture(scope="session")
def pipeline(classifier: LocalClassifier) -> DetectionPipeline:
    return build_pipeline(classifier=classifier)


def fixed_score_classifier(score: float) -> LocalClassifier:
    """A real LocalClassifier with no features, so every message scores exactly ``score``."""
    return LocalClassifier(
        bias=math.log(score / (1.0 - score)), tables={"word": {}, "char": {}}, meta={}
    )


@dataclass
class FakeLLMState:
    """What the loopback server answers, and what it received."""

    answer: str = "request"
    status: int = 200
    delay_seconds: float = 0.0
    requests: list[dict[str, object]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _completion(content: str) -> bytes:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return json.dumps(body).encode()


def _handler_for(state: FakeLLMState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # http.server calls do_<METHOD>
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
            if state.delay_seconds:
                state.release.wait(state.delay_seconds)
            if state.status != 200:
                payload = json.dumps({"error": {"message": "boom", "type": "server_error"}})
                self._reply(state.status, payload.encode())
                return
            self._reply(200, _completion(state.answer))

        def _reply(self, status: int, payload: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up after its timeout

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def fake_llm() -> Iterator[tuple[str, FakeLLMState]]:
    """A loopback OpenAI-compatible server: yields (base_url, state)."""
    state = FakeLLMState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
