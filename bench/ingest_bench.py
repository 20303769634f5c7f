"""Ingestion benchmark: signed events in over HTTP, alerts out at a loopback Slack.

Starts the fake Slack Web API, gunicorn (2 workers) and a Celery worker (concurrency 2) on
PostgreSQL and Redis, applies ``examples/demo_config.yaml`` (a request_detected rule to
C0TRIAGE), posts N signed customer messages (~60% request-like) from a few threads, then
waits (bounded) for the alerts and prints:

- events posted, ack latency p50/p99, acked events per second;
- event → alert latency p50/p95, from the post to the fake Slack's chat.postMessage;
- alerts received against request-like events sent (the detector decides, so the two may
  differ; both directions are counted).

``--broker-down`` instead points the web server at a Redis port where nothing listens and
starts no worker: it shows that acks stay fast and every event is stored (pending, for the
sweeper) while the broker is unreachable.

Figures are printed, not asserted. Every process started here is stopped on the way out,
all traffic stays on 127.0.0.1, and the run is bounded (about 4 minutes at most).

    .venv/bin/python bench/ingest_bench.py [--events 500] [--concurrency 4] [--broker-down]

``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/thena_bench``, created and
migrated if needed) and ``CELERY_BROKER_URL`` (default ``redis://127.0.0.1:6379/14``) say
where to run. The database gets the demo config for workspace T0001: do not point it at a
database you care about.
"""

import argparse
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.postgres import PostgresUnavailableError, ensure_postgres_database  # noqa: E402
from slack_integration.simulate import JSON_CONTENT_TYPE, PreparedPost, send  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thena_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
BENCH_SECRET = "bench-signing-secret-0123456789abcdef"  # noqa: S105 (loopback only)
CONFIG = ROOT / "examples" / "demo_config.yaml"
TOTAL_BUDGET_SECONDS = 250  # + up to 10 s of in-flight posts and 15 s to stop
STARTUP_TIMEOUT_SECONDS = 45

REQUEST_TEXTS = [
    "Hi team, our nightly export to S3 failed again with error 502. Can you look into it?",
    "still seeing 502s on the export",
    "Could you reset the API key for our staging workspace?",
    "The dashboard has been loading forever since this morning, is something down?",
    "We need the invoice for March re-sent to finance, please",
    "SSO login fails for two of our users with an invalid SAML response error",
    "How do we add a second admin to our account?",
    "webhook deliveries are delayed by about an hour today",
]
OTHER_TEXTS = [
    "thanks!",
    "sounds good",
    ":+1:",
    "ok great, thank you",
    "Happy Friday everyone",
]
CUSTOMERS = [("C0CUST1", "T0GLOBEX"), ("C0CUST2", "T0INITECH")]
PERMALINK = re.compile(r"archives/([A-Z0-9]+)/p(\d+)")


@dataclass
class BenchEvent:
    """One posted event and what happened to it."""

    index: int
    channel: str
    is_request_like: bool
    ts: str = ""
    posted_at: float = 0.0  # wall clock, comparable with the fake Slack's ``at``
    status: int | None = None
    ack_ms: float = 0.0
    alert_at: float | None = None

    @property
    def permalink_key(self) -> tuple[str, str]:
        return self.channel, self.ts.replace(".", "")


@dataclass
class Processes:
    """Child processes, each in its own session so its whole group can be stopped."""

    log_dir: Path
    started: list[tuple[str, subprocess.Popen]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("wb")
        self.logs.append(log)
        process = subprocess.Popen(  # noqa: S603 (fixed argv from this file)
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                raise BenchError(
                    f"{name} exited with status {process.returncode}; see "
                    f"{self.log_dir / (name + '.log')}"
                )

    def stop_all(self) -> None:
        """SIGTERM to each group, then SIGKILL to any group still alive after 10 s."""
        for _, process in self.started:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, process in self.started:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for _, process in self.started:
            _signal_group(process, signal.SIGKILL)  # also reaps orphaned pool children
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for log in self.logs:
            log.close()


class BenchError(Exception):
    """The bench could not run (a server missing, a process died); the message says why."""


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)  # the group this process leads (start_new_session)


# --- infrastructure ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def check_redis(broker_url: str) -> None:
    parts = urlsplit(broker_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=3) as connection:
            connection.sendall(b"PING\r\n")
            if not connection.recv(16).startswith(b"+PONG"):
                raise BenchError(f"{host}:{port} does not answer like Redis")
    except OSError as error:
        raise BenchError(f"cannot reach Redis at {host}:{port}: {error}") from error


def app_env(database_url: str, broker_url: str, fake_port: int) -> dict[str, str]:
    """The environment of every app process: loopback Slack, no OAuth, no LLM, quiet logs."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thena.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SLACK_API_BASE_URL": f"http://127.0.0.1:{fake_port}/api/",
        "ALERT_DELIVERY_BACKEND": "slack",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": BENCH_SECRET,
        "SLACK_CLIENT_ID": "",
        "SLACK_CLIENT_SECRET": "",
        "SLACK_TRIAGE_CHANNEL": "",
        "SECRET_KEY": "bench",
        "DEBUG": "false",
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
        "DETECTION_LLM_MODEL": "",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> None:
    """Runs a management command to completion; its output only on failure."""
    try:
        result = subprocess.run(  # noqa: S603 (fixed argv)
            [str(PYTHON), "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"manage.py {args[0]} took more than {timeout:.0f} s") from error
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")


def wait_for_http(
    url: str, *, timeout: float, processes: Processes, accept_any_status: bool = False
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback)
                return
        except urllib.error.HTTPError:
            if accept_any_status:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s")


def wait_for_worker(log_path: Path, *, timeout: float, processes: Processes) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        if b" ready." in log_path.read_bytes():
            return
        time.sleep(0.2)
    raise BenchError(f"the Celery worker was not ready within {timeout:.0f} s; see {log_path}")


# --- the load ----------------------------------------------------------------------------


def make_events(count: int) -> list[BenchEvent]:
    """~60% request-like (3 in 5), alternating between the two customer channels."""
    return [
        BenchEvent(index=index, channel=CUSTOMERS[index % 2][0], is_request_like=index % 5 < 3)
        for index in range(count)
    ]


def event_payload(event: BenchEvent, *, run_id: str) -> dict[str, Any]:
    """A customer message shaped like shared/data/slack_payloads/message_channel.json.

    Each event has its own customer, so consecutive messages never group into one request.
    """
    channel, team = CUSTOMERS[event.index % 2]
    texts = REQUEST_TEXTS if event.is_request_like else OTHER_TEXTS
    text = texts[event.index % len(texts)]
    user = f"U0B{run_id}{event.index:05d}"
    profile = {
        "avatar_hash": "b0b1b2b3b4b5",
        "first_name": "Bench",
        "real_name": f"Bench Customer {event.index}",
        "display_name": f"bench{event.index}",
        "team": team,
        "name": f"bench{event.index}",
    }
    return {
        "token": "Ab12Cd34Ef56Gh78Ij90Kl12",
        "team_id": team,
        "context_team_id": "T0001",
        "context_enterprise_id": None,
        "api_app_id": "A0APP1",
        "event": {
            "user": user,
            "type": "message",
            "ts": event.ts,
            "client_msg_id": f"bench-{run_id}-{event.index}",
            "text": text,
            "team": team,
            "user_team": team,
            "source_team": team,
            "user_profile": profile,
            "channel": channel,
            "event_ts": event.ts,
            "channel_type": "channel",
        },
        "type": "event_callback",
        "event_id": f"EvBENCH{run_id}{event.index:05d}",
        "event_time": int(float(event.ts)),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": "T0001",
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": True,
        "event_context": f"EC{run_id}{event.index:05d}",
    }


def post_event(event: BenchEvent, *, url: str, run_id: str, deadline: float) -> None:
    """Posts one event (skipped, status None, once the time budget is spent)."""
    if time.monotonic() > deadline:
        return
    event.posted_at = time.time()
    event.ts = f"{int(event.posted_at)}.{event.index:06d}"
    body = json.dumps(event_payload(event, run_id=run_id)).encode()
    post = PreparedPost(
        index=event.index, line_number=0, label="message", body=body, content_type=JSON_CONTENT_TYPE
    )
    result = send(post, url=url, secret=BENCH_SECRET, timeout_seconds=10)
    event.status, event.ack_ms = result.status, result.latency_ms


def post_all(
    events: list[BenchEvent], *, url: str, run_id: str, concurrency: int, deadline: float
) -> float:
    """Posts every event from ``concurrency`` threads; returns the wall time it took."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(
            pool.map(
                lambda event: post_event(event, url=url, run_id=run_id, deadline=deadline), events
            )
        )
    return time.perf_counter() - started


def fetch_calls(fake_port: int) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{fake_port}/_calls"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def match_alerts(events: list[BenchEvent], calls: list[dict[str, Any]]) -> int:
    """Sets each event's ``alert_at`` from the first chat.postMessage whose blocks carry its
    permalink; returns how many of this run's events have an alert."""
    by_key = {event.permalink_key: event for event in events}
    for call in calls:
        if call.get("method") != "chat.postMessage":
            continue
        for key in PERMALINK.findall(json.dumps(call.get("params", {}).get("blocks"))):
            event = by_key.get(key)
            if event is not None and (event.alert_at is None or call["at"] < event.alert_at):
                event.alert_at = float(call["at"])
    return sum(event.alert_at is not None for event in events)


def inbound_statuses(database_url: str, run_id: str) -> dict[str, int]:
    """Status → count of this run's InboundEvent rows; a pending row whose processing
    raised (it waits for the sweeper) counts as ``pending_after_error``."""
    with psycopg.connect(database_url, connect_timeout=5) as connection:
        rows = connection.execute(
            "SELECT CASE WHEN status = 'pending' AND last_error <> '' "
            "THEN 'pending_after_error' ELSE status END, count(*) "
            "FROM slack_integration_inboundevent WHERE event_id LIKE %s GROUP BY 1",
            (f"EvBENCH{run_id}%",),
        ).fetchall()
    return dict(rows)


def wait_for_alerts(
    events: list[BenchEvent],
    *,
    fake_port: int,
    database_url: str,
    run_id: str,
    deadline: float,
    processes: Processes,
) -> tuple[int, bool]:
    """Polls until no event is pending and no new alert arrived for 3 s, or the deadline.

    Returns (alerts matched, whether it finished before the deadline).
    """
    matched, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        processes.check_alive()
        now_matched = match_alerts(events, fetch_calls(fake_port))
        if now_matched != matched:
            matched, stable_since = now_matched, time.monotonic()
        pending = inbound_statuses(database_url, run_id).get("pending", 0)
        if pending == 0 and time.monotonic() - stable_since >= 3:
            return matched, True
        time.sleep(1)
    return match_alerts(events, fetch_calls(fake_port)), False


# --- the report --------------------------------------------------------------------------


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def print_ack_report(events: list[BenchEvent], post_seconds: float) -> None:
    posted = [event for event in events if event.posted_at]
    acked = [event for event in posted if event.status is not None and 200 <= event.status < 300]
    statuses: dict[str, int] = {}
    for event in posted:  # "None": no HTTP answer (refused or timed out)
        statuses[str(event.status)] = statuses.get(str(event.status), 0) + 1
    skipped = len(events) - len(posted)
    latencies = [event.ack_ms for event in acked]
    print(
        f"events posted:             {len(posted)} (HTTP status counts: {statuses})"
        + (f", {skipped} not posted (time budget spent)" if skipped else "")
    )
    print(
        f"ack latency p50 / p99:     {percentile(latencies, 50):.1f} / "
        f"{percentile(latencies, 99):.1f} ms"
    )
    print(
        f"events/s (acked):          {len(acked) / post_seconds:.1f} "
        f"({len(acked)} in {post_seconds:.2f} s)"
    )


def print_alert_report(events: list[BenchEvent], statuses: dict[str, int], finished: bool) -> None:
    posted = [event for event in events if event.posted_at]
    delays = [
        (event.alert_at - event.posted_at) * 1000 for event in posted if event.alert_at is not None
    ]
    expected = sum(event.is_request_like for event in posted)
    hits = sum(event.is_request_like and event.alert_at is not None for event in posted)
    extra = sum(not event.is_request_like and event.alert_at is not None for event in posted)
    print(
        f"event -> alert p50 / p95:  {percentile(delays, 50):.0f} / {percentile(delays, 95):.0f} ms"
    )
    print(
        f"alerts received:           {len(delays)} vs {expected} request-like events "
        f"({hits} of them alerted, {extra} alerts for non-request texts)"
    )
    print(
        f"inbound event statuses:    {statuses}"
        + ("" if finished else "  (gave up waiting at the deadline)")
    )


# --- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500, help="events to post (500)")
    parser.add_argument("--concurrency", type=int, default=4, help="posting threads (4)")
    parser.add_argument(
        "--wait", type=float, default=120, help="seconds to wait for the alerts after posting (120)"
    )
    parser.add_argument(
        "--broker-down", action="store_true", help="post with the broker unreachable and no worker"
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the process logs (their folder is printed)"
    )
    arguments = parser.parse_args(argv)
    if arguments.events < 1 or arguments.concurrency < 1:
        parser.error("--events and --concurrency must be at least 1")
    return arguments


def seconds_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise BenchError("out of time budget before the load started")
    return left


def start_stack(
    processes: Processes,
    env: dict[str, str],
    *,
    fake_port: int,
    web_port: int,
    with_worker: bool,
    deadline: float,
) -> None:
    """Fake Slack, migrations and config, then gunicorn and (optionally) the worker."""
    python = str(PYTHON)
    processes.start(
        "fake_slack", [python, "-m", "slack_integration.fake_slack", "--port", str(fake_port)], env
    )
    manage(env, "migrate", "--no-input", timeout=min(90, seconds_left(deadline)))
    manage(env, "apply_config", str(CONFIG), timeout=min(60, seconds_left(deadline)))
    # As `make run` does: the measured latency is the served model's, not a first-use training.
    manage(env, "prepare_detection", timeout=min(120, seconds_left(deadline)))
    processes.start(
        "web",
        [
            str(BIN / "gunicorn"),
            "thena.wsgi",
            "--bind",
            f"127.0.0.1:{web_port}",
            "--workers",
            "2",
            "--graceful-timeout",
            "5",
        ],
        env,
    )
    if with_worker:
        processes.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "thena",
                "worker",
                "--queues",
                "celery,alerts",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"bench-{web_port}@127.0.0.1",
            ],
            env,
        )
    wait_for_http(
        f"http://127.0.0.1:{fake_port}/_calls",
        processes=processes,
        timeout=min(STARTUP_TIMEOUT_SECONDS, seconds_left(deadline)),
    )
    wait_for_http(
        f"http://127.0.0.1:{web_port}/healthz",
        processes=processes,
        timeout=min(STARTUP_TIMEOUT_SECONDS, seconds_left(deadline)),
        accept_any_status=not with_worker,
    )
    if with_worker:
        wait_for_worker(
            processes.log_dir / "worker.log",
            processes=processes,
            timeout=min(STARTUP_TIMEOUT_SECONDS, seconds_left(deadline)),
        )


def run(arguments: argparse.Namespace, log_dir: Path) -> None:
    started = time.monotonic()
    budget_deadline = started + TOTAL_BUDGET_SECONDS
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    broker_url = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    try:
        ensure_postgres_database(database_url)
    except PostgresUnavailableError as error:
        raise BenchError(str(error)) from error
    if arguments.broker_down:
        broker_url = f"redis://127.0.0.1:{free_port()}/14"  # nothing listens there
    else:
        check_redis(broker_url)
    fake_port, web_port = free_port(), free_port()
    processes = Processes(log_dir)
    try:
        start_stack(
            processes,
            app_env(database_url, broker_url, fake_port),
            fake_port=fake_port,
            web_port=web_port,
            with_worker=not arguments.broker_down,
            deadline=budget_deadline,
        )
        print(
            f"ready after {time.monotonic() - started:.1f} s; posting {arguments.events} "
            f"events from {arguments.concurrency} threads"
        )
        run_id = secrets.token_hex(3).upper()
        events = make_events(arguments.events)
        post_seconds = post_all(
            events,
            url=f"http://127.0.0.1:{web_port}/slack/events",
            run_id=run_id,
            concurrency=arguments.concurrency,
            deadline=budget_deadline,
        )
        print_ack_report(events, post_seconds)
        if arguments.broker_down:
            print(
                f"stored with broker down:   {inbound_statuses(database_url, run_id)} "
                "(pending rows wait for the sweeper)"
            )
            return
        deadline = min(time.monotonic() + arguments.wait, budget_deadline)
        _, finished = wait_for_alerts(
            events,
            fake_port=fake_port,
            database_url=database_url,
            run_id=run_id,
            deadline=deadline,
            processes=processes,
        )
        print_alert_report(events, inbound_statuses(database_url, run_id), finished)
    finally:
        processes.stop_all()


def main(argv: list[str] | None = None) -> None:
    """Runs the benchmark; exits non-zero with a message if it cannot run."""
    arguments = parse_args(argv)
    log_dir = Path(tempfile.mkdtemp(prefix="thena-bench-"))
    try:
        run(arguments, log_dir)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        arguments.keep_logs = True
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    finally:
        if arguments.keep_logs:
            print(f"process logs: {log_dir}")
        else:
            for path in log_dir.iterdir():
                path.unlink()
            log_dir.rmdir()


if __name__ == "__main__":
    main()
