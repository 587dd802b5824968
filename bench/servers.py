"""Starting and measuring what the benchmarks load: Joined Up (`joinedup serve`), the baseline, the databases.

CPU is read from /proc/<pid>/stat (utime + stime) of the gunicorn master and its workers, and of the PostgreSQL
backends serving the benchmark database (sampled through the run, so backends that come and go are counted).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from bench.load import HOST, command_body, raw_request
from bot.domain.config import Agency, RiskLevel, load_partnership
from bot.processes.delivery import PROCESS_NAME
from bot.demo.sample import ADMIN, CHANNEL_MEMBERS, PEOPLE, RISK_LEVELS, sample_partnership

REPO = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
TICK = os.sysconf("SC_CLK_TCK")
POSTGRES_SERVER = os.environ.get("JOINEDUP_BENCH_POSTGRES_URL") or os.environ.get(
    "JOINEDUP_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


# --- /proc -----------------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of the whole line)


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def role(pid: int, master: int) -> str:
    if pid == master:
        return "master"
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        name = ""
    return f"deliverer {pid}" if name == PROCESS_NAME else f"worker {pid}"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class CpuMeter:
    """CPU seconds of a changing set of processes, sampled in the background so short-lived ones count too."""

    def __init__(self, pids: Any, interval: float = 0.25) -> None:
        self._pids = pids  # a callable returning the current pids
        self._base: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self, initial: bool = False) -> None:
        for pid in self._pids():
            value = cpu_seconds(pid)
            if value is None:
                continue
            # a process there at the start counts from its CPU then; one that appears later, from zero
            self._base.setdefault(pid, value if initial else 0.0)
            self._last[pid] = value

    def __enter__(self) -> "CpuMeter":
        self._base.clear()
        self._last.clear()
        self.sample(initial=True)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()

    @property
    def seconds(self) -> float:
        return sum(last - self._base[pid] for pid, last in self._last.items())


# --- configuration -----------------------------------------------------------------------------------

def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def partnership_toml(agencies: Iterable[Agency], risk_levels: Iterable[RiskLevel] = RISK_LEVELS) -> str:
    sample = sample_partnership()
    lines = [
        "[organisation]",
        f"name = {json.dumps(sample.name)}",
        'timezone = "Europe/London"',
        f"admins = {_toml_list([ADMIN.user_id])}",
        f"emergency_instructions = {json.dumps(sample.emergency_instructions)}",
        "",
    ]
    for agency in agencies:
        lines += ["[[agencies]]", f"key = {json.dumps(agency.key)}", f"name = {json.dumps(agency.name)}",
                  f"channel = {json.dumps(agency.channel)}", f"leads = {_toml_list(agency.leads)}",
                  f"members = {_toml_list(agency.members)}", ""]
    for level in risk_levels:
        lines += ["[[risk_levels]]", f"key = {json.dumps(level.key)}", f"label = {json.dumps(level.label)}",
                  f"definition = {json.dumps(level.definition)}", f"urgent = {'true' if level.urgent else 'false'}", ""]
    for term in sample.glossary:
        lines += ["[[glossary]]", f"term = {json.dumps(term.term)}", f"definition = {json.dumps(term.definition)}",
                  f"aliases = {_toml_list(term.aliases)}", f"category = {json.dumps(term.category)}",
                  f"source = {json.dumps(term.source)}", ""]
    return "\n".join(lines)


def many_agencies(n: int) -> list[Agency]:
    """A partnership of n agencies, each with its own channel and lead (the sample's people as leads)."""
    leads = [p.user_id for p in PEOPLE if p.user_id != ADMIN.user_id]
    return [Agency(f"agency-{i:03d}", f"Agency {i:03d}", f"C0AG{i:05d}", leads=(leads[i % len(leads)],))
            for i in range(1, n + 1)]


def write_config(folder: Path, agencies: Iterable[Agency] | None = None, name: str = "joinedup.toml") -> Path:
    path = folder / name
    path.write_text(partnership_toml(agencies if agencies is not None else sample_partnership().agencies))
    load_partnership(path)  # refuses a file Joined Up would refuse
    return path


def populate(standin: Any, agencies: Iterable[Agency] | None = None) -> None:
    """The sample partnership's people, and a channel per agency (with the sample's members where known)."""
    standin.populate([(p.user_id, p.name.split()[0].lower(), p.name) for p in PEOPLE],
                     [(a.channel, a.key, CHANNEL_MEMBERS.get(a.channel, list(a.leads)))
                      for a in (agencies if agencies is not None else sample_partnership().agencies)])


# --- databases --------------------------------------------------------------------------------------

@dataclass
class BenchDatabase:
    kind: str  # "sqlite" or "postgresql"
    url: str
    name: str = ""
    admin_url: str = ""

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends connected to this database (none for SQLite: it runs in the server)."""
        if self.kind != "postgresql":
            return []
        return [pid for pid in children(_postmaster()) if f" {self.name} " in cmdline(pid)]

    def analyze(self) -> None:
        """Bring PostgreSQL's planner statistics up to date, as autovacuum does on a production server. The
        server here runs with autovacuum off, so a database that grows from empty during a run would otherwise
        be planned as if it were still empty: sequential scans that grow with every phase."""
        if self.kind == "postgresql":
            import psycopg
            with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
                connection.execute("ANALYZE")

    def drop(self) -> None:
        if self.kind == "postgresql":
            import psycopg
            with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(self.url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


_POSTMASTER: list[int] = []


def _postmaster() -> int:
    if not _POSTMASTER:
        import psycopg
        with psycopg.connect(POSTGRES_SERVER, connect_timeout=5) as connection:
            backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
            stat = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
            _POSTMASTER.append(int(stat[1]))
    return _POSTMASTER[0]


def postgres_available() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        import psycopg
        psycopg.connect(POSTGRES_SERVER, connect_timeout=3).close()
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"


def create_database(kind: str, folder: Path, label: str = "") -> BenchDatabase:
    """A fresh, migrated database for one benchmark (drop it when done)."""
    from storage.db import Database

    if kind == "sqlite":
        db = BenchDatabase("sqlite", f"sqlite:///{folder}/bench{label}.db")
    else:
        import psycopg
        name = f"joinedup_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = POSTGRES_SERVER.rpartition("/")
        db = BenchDatabase("postgresql", f"{base}/{name}", name=name, admin_url=POSTGRES_SERVER)
    database = Database(db.url)
    database.migrate()
    database.dispose()
    return db


# --- servers ----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """`joinedup serve`, the baseline or the floor, as a gunicorn master with its workers."""

    name: str  # "joinedup" or "baseline"
    port: int
    proc: subprocess.Popen
    log_path: Path
    db: BenchDatabase
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pids(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)]

    def workers(self) -> list[int]:
        return [pid for pid in children(self.proc.pid) if role(pid, self.proc.pid).startswith("worker")]

    def rss(self) -> dict[str, float]:
        return {role(pid, self.proc.pid): rss_mb(pid) or 0.0 for pid in self.pids()}

    def cpu_meter(self) -> CpuMeter:
        return CpuMeter(lambda: [*self.pids(), *self.db.backend_pids()])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of the workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(name: str, *, db: BenchDatabase, standin_api_url: str, config: Path, folder: Path,
                 python: str = sys.executable, extra_env: dict[str, str] | None = None, variant: str = "") -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "JOINEDUP_", "DATABASE_URL"))}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": standin_api_url,
        "DATABASE_URL": db.url, "PORT": str(port), "JOINEDUP_HOST": HOST, "JOINEDUP_CONFIG": str(config),
        "PYTHONUNBUFFERED": "1", **(extra_env or {}),
    })
    command = [python, "-m", {"joinedup": "bot", "baseline": "bench.baseline_app", "floor": "bench.floor_app"}[name]]
    if name == "joinedup":
        command.append("serve")
    if variant and name == "joinedup":  # a recommended change, patched in by bench/experiment_server.py
        command = [python, "-m", "bench.experiment_server"]
        env["JOINEDUP_BENCH_VARIANT"] = variant
    log_path = folder / f"{name}-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    server = Server(name, port, proc, log_path, db)
    wait_ready(server)
    return server


def wait_ready(server: Server, timeout: float = 60.0) -> None:
    """Until every worker answers a signed /joinedup (a few in a row, as workers come up one by one)."""
    deadline = time.monotonic() + timeout
    good = 0
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited ({server.proc.returncode}):\n{server.log_tail()}")
        try:
            with socket.create_connection((HOST, server.port), timeout=5) as s:
                s.sendall(raw_request(server.port, command_body("/joinedup", "help", user="U0SAMSW", channel="C0SOCIAL",
                                                                   response_url="http://127.0.0.1:9/", trigger="ready"),
                                      SIGNING_SECRET))
                reply = s.recv(100)
            good = good + 1 if reply.startswith(b"HTTP/1.1 200") else 0
            expected = 4 * max(1, len(server.workers()))
            if good >= expected:
                return
        except OSError:
            good = 0
        time.sleep(0.05 if good else 0.2)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f}s:\n{server.log_tail()}")
