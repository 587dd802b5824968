"""`joinedup serve` as a real process, for the tests that kill it or load it."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.blocks.record_form import FormDefaults, record_form
from bot.services.records import follow_up_default
from bot.demo.sample import sample_partnership, sample_toml
from bot.standin.signed_requests import SlackSender, fill
from bot.standin.slack import SlackStandIn

REPO = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "serve-test-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(tmp: Path, database_url: str, standin: SlackStandIn, **extra: str) -> dict[str, str]:
    config = tmp / "joinedup.toml"
    config.write_text(sample_toml(), encoding="utf-8")
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO), "SLACK_BOT_TOKEN": "xoxb-serve-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": standin.api_url, "DATABASE_URL": database_url,
            "JOINEDUP_CONFIG": str(config), "JOINEDUP_HOST": "127.0.0.1", **extra}


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    sender: SlackSender
    ready: threading.Event = field(default_factory=threading.Event)
    output: list[str] = field(default_factory=list)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def serve(env: dict[str, str], standin: SlackStandIn, *, workers: int = 1) -> Served:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=env["PYTHONPATH"], start_new_session=True,
                               env={**env, "PORT": str(port), "JOINEDUP_WORKERS": str(workers)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    served = Served(process, port, SlackSender("127.0.0.1", port, SIGNING_SECRET, standin.response_url(),
                                               standin.trigger_id))
    ready_workers = []

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            served.output.append(line)
            if "worker ready" in line:
                ready_workers.append(line)
                if len(ready_workers) == workers:
                    served.ready.set()
        served.ready.set()  # the process ended: stop waiting

    threading.Thread(target=read, daemon=True).start()
    assert served.ready.wait(60) and process.poll() is None, "".join(served.output)
    return served


def sweep_at(env: dict[str, str], moment: datetime) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "sweep", "--at", moment.isoformat()], cwd=env["PYTHONPATH"],
                          env=env, capture_output=True, text=True, timeout=120)


def submission(answers: dict[str, Any], number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record form as Slack would have opened it, and its filled-in state."""
    partnership = sample_partnership()
    now = datetime.now(timezone.utc)
    view = {**record_form(partnership, FormDefaults(occurred_at=now, follow_up_on=follow_up_default(partnership, now))),
            "id": f"VSERVE{number:06d}"}
    return view, fill(view, answers)
