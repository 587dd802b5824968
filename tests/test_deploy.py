"""The deployment files hang together: the Compose file, its Caddyfile and environment file, the Dockerfile and
the systemd unit agree on names, ports, volumes and health checks; the image's health check works against a
running Joined Up; and where a Docker engine answers, the image builds and serves Slack."""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.demo.sample import SAM, sample_toml
from bot.edge.web import HEALTH_PATH, LARGEST_BODY
from bot.standin.signed_requests import SlackSender
from bot.standin.slack import SlackStandIn
from tests.serving import SIGNING_SECRET, environment, free_port, serve

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
NO_ENGINE = "no Docker engine answers here: `docker info` failed"


# --- reading the files ----------------------------------------------------------------------------

def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, separator, value = line.partition("=")
            assert separator, f"env.example: {line!r} is not NAME=value"
            values[name.strip()] = value.strip()
    return values


VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(text: str, values: dict[str, str]) -> str:
    """${NAME}, ${NAME:-default} and ${NAME:?error}, as Docker Compose substitutes them from deploy/.env."""
    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        value = values.get(name)
        if operator in (":-", "-"):
            return value if value or (operator == "-" and value is not None) else argument
        if operator in (":?", "?") and not value and not (operator == "?" and value is not None):
            raise AssertionError(f"compose.yml needs {name}: {argument}")
        return value or ""

    return VARIABLE.sub(substitute, text)


def compose() -> dict[str, Any]:
    return yaml.safe_load(interpolate((DEPLOY / "compose.yml").read_text(encoding="utf-8"), env_example()))


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def port_of(service: dict[str, Any]) -> int:
    return int(service_environment(service).get("PORT") or 3000)


def caddyfile_lines() -> list[str]:
    return [line.split("#", 1)[0].strip() for line in (DEPLOY / "Caddyfile").read_text(encoding="utf-8").splitlines()
            if line.split("#", 1)[0].strip()]


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, rest = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def stages() -> tuple[dict[str, str], list[list[tuple[str, str]]]]:
    """The ARGs declared before the first FROM, and each stage's instructions, FROM first."""
    arguments: dict[str, str] = {}
    found: list[list[tuple[str, str]]] = []
    for keyword, rest in dockerfile():
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, rest))
        elif keyword == "ARG":
            name, _, default = rest.partition("=")
            arguments[name] = default
    return arguments, found


def base_image(from_line: str, arguments: dict[str, str]) -> str:
    image = from_line.split()[0]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: arguments[m.group(1) or m.group(2)], image)


def final_stage() -> list[tuple[str, str]]:
    return stages()[1][-1]


def environment_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for keyword, rest in stage:
        if keyword == "ENV":
            env.update(word.split("=", 1) for word in shlex.split(rest))
    return env


def healthcheck_command() -> list[str]:
    [rest] = [rest for keyword, rest in final_stage() if keyword == "HEALTHCHECK"]
    command = rest[rest.index("CMD") + len("CMD"):].strip()
    return json.loads(command)


def unit() -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in (DEPLOY / "joinedup.service").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))  # type: ignore[union-attr]
    return sections


def one(entries: list[tuple[str, str]], key: str) -> str:
    values = [value for name, value in entries if name == key]
    assert len(values) == 1, f"joinedup.service sets {key} {len(values)} times"
    return values[0]


# --- Compose --------------------------------------------------------------------------------------

def test_env_example_names_every_variable_compose_and_caddy_read_and_no_other() -> None:
    used = {match.group(1) for match in VARIABLE.finditer((DEPLOY / "compose.yml").read_text(encoding="utf-8"))}
    assert set(env_example()) == used
    for value in env_example().values():
        assert not value.startswith("xoxb-") or "replace" in value, "env.example must hold no real token"


def test_joinedup_starts_after_postgres_is_healthy_and_the_migration_has_finished() -> None:
    services = compose()["services"]
    assert services["joinedup"]["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                                  "migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["command"] == ["joinedup", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["joinedup"]["command"] == ["joinedup", "serve"]
    assert services["migrate"]["image"] == services["joinedup"]["image"]


def test_database_url_names_the_postgres_service_its_database_user_and_password() -> None:
    services = compose()["services"]
    postgres = service_environment(services["postgres"])
    for name in ("migrate", "joinedup"):
        url = make_url(service_environment(services[name])["DATABASE_URL"])
        assert url.get_backend_name() == "postgresql"
        assert url.host == "postgres" and (url.port or 5432) == 5432
        assert (url.database, url.username, url.password) == (
            postgres["POSTGRES_DB"], postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"])


def test_postgres_is_version_15_keeps_its_data_in_a_named_volume_and_says_when_it_is_ready() -> None:
    document = compose()
    postgres = document["services"]["postgres"]
    assert re.fullmatch(r"postgres:15(\.\d+)?(-bookworm)?", postgres["image"])
    [volume] = postgres["volumes"]
    name, target = volume.split(":")[:2]
    assert target == "/var/lib/postgresql/data" and name in document["volumes"]
    test = postgres["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "pg_isready"
    assert f"--username={service_environment(postgres)['POSTGRES_USER']}" in test
    assert "ports" not in postgres, "PostgreSQL must not be published outside the Compose network"


def test_only_caddy_is_published_and_it_proxies_to_the_port_joinedup_listens_on() -> None:
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}
    assert {str(port).split(":")[-1] for port in services["caddy"]["ports"]} >= {"80", "443"}
    assert services["caddy"]["depends_on"] == {"joinedup": {"condition": "service_healthy"}}

    port = port_of(services["joinedup"])
    assert service_environment(services["joinedup"])["JOINEDUP_HOST"] == "0.0.0.0"
    assert [str(p) for p in services["joinedup"]["expose"]] == [str(port)]
    [upstream] = [line.split()[1] for line in caddyfile_lines() if line.startswith("reverse_proxy")]
    assert upstream == f"joinedup:{port}"
    health = " ".join(services["joinedup"]["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}{HEALTH_PATH}" in health and "curl" not in health


def test_caddy_serves_the_name_from_the_environment_and_refuses_no_request_joinedup_would_take() -> None:
    caddy = compose()["services"]["caddy"]
    assert "JOINEDUP_DOMAIN" in service_environment(caddy)
    assert "{$JOINEDUP_DOMAIN} {" in caddyfile_lines()
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert (DEPLOY / "Caddyfile").is_file()
    units = {"KB": 10**3, "MB": 10**6, "KIB": 2**10, "MIB": 2**20}

    def size(text: str) -> int:
        number, unit = re.fullmatch(r"(\d+)([A-Za-z]+)", text).groups()  # type: ignore[union-attr]
        return int(number) * units[unit.upper()]

    [max_size] = [size(line.split()[1]) for line in caddyfile_lines() if line.startswith("max_size")]
    [buffered] = [size(line.split()[1]) for line in caddyfile_lines() if line.startswith("request_buffers")]
    assert max_size == LARGEST_BODY, "Caddy and Joined Up should refuse the same bodies"
    assert buffered >= max_size, "every request Caddy accepts should reach Joined Up whole"


def test_the_partnership_file_is_mounted_read_only_where_joinedup_reads_it() -> None:
    joinedup = compose()["services"]["joinedup"]
    [mount] = joinedup["volumes"]
    assert mount["type"] == "bind" and mount["read_only"] is True
    assert mount["bind"]["create_host_path"] is False
    assert mount["target"] == service_environment(joinedup)["JOINEDUP_CONFIG"]
    assert mount["source"] == env_example()["JOINEDUP_TOML"]


def test_every_named_volume_is_declared_and_used() -> None:
    document = compose()
    used = {volume.split(":")[0] for service in document["services"].values()
            for volume in service.get("volumes", []) if isinstance(volume, str) and not volume.startswith(".")}
    assert used == set(document["volumes"])


# --- the image ------------------------------------------------------------------------------------

def test_the_image_is_built_in_stages_from_a_pinned_python_311_slim_bookworm() -> None:
    arguments, found = stages()
    assert len(found) >= 2, "a build stage and a run stage"
    for stage in found:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?",
                            base_image(stage[0][1], arguments)), stage[0]
    final = final_stage()
    runs = " ".join(rest for keyword, rest in final if keyword == "RUN")
    assert not re.search(r"apt-get|apt |gcc|build-essential|pip install", runs), "no build tools in the final image"
    assert any(keyword == "COPY" and rest.startswith("--from=") and "/opt/joinedup" in rest for keyword, rest in final)


def test_the_image_runs_joinedup_serve_as_a_user_other_than_root() -> None:
    final = final_stage()
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    keywords = [keyword for keyword, _ in final]
    assert keywords.index("USER") < keywords.index("CMD")
    [command] = [rest for keyword, rest in final if keyword == "CMD"]
    assert json.loads(command) == ["joinedup", "serve"]
    env = environment_of(final)
    assert env["JOINEDUP_HOST"] == "0.0.0.0"
    [exposed] = [rest for keyword, rest in final if keyword == "EXPOSE"]
    assert exposed == env["PORT"] == str(port_of(compose()["services"]["joinedup"]))


def test_the_build_context_holds_no_secrets_databases_or_checkout_clutter() -> None:
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "**/*.db", "**/.env", "**/joinedup.toml", "tests"} <= ignored
    copied = {source for keyword, rest in stages()[1][0] if keyword == "COPY" for source in rest.split()[:-1]}
    assert copied and not copied & ignored, "the Dockerfile copies something .dockerignore leaves out"


def test_the_image_health_check_passes_against_a_running_joinedup_and_fails_without_one(
        tmp_path: Path, standin: SlackStandIn) -> None:
    command = healthcheck_command()
    assert command[0] == "python" and "urllib" in command[-1] and HEALTH_PATH in command[-1]
    check = [sys.executable, *command[1:]]
    served = serve(environment(tmp_path, f"sqlite:///{tmp_path}/joinedup.db", standin), standin)
    try:
        healthy = subprocess.run(check, env={"PORT": str(served.port)}, capture_output=True, text=True, timeout=30)
    finally:
        served.stop()
    assert healthy.returncode == 0, healthy.stderr
    down = subprocess.run(check, env={"PORT": str(served.port)}, capture_output=True, text=True, timeout=30)
    assert down.returncode != 0


# --- systemd --------------------------------------------------------------------------------------

def test_the_systemd_unit_runs_a_dedicated_user_confined_to_its_own_folder() -> None:
    service = unit()["Service"]
    assert one(service, "User") not in ("", "root", "0")
    assert one(service, "EnvironmentFile").startswith("/etc/")
    assert one(service, "ExecStart").endswith("/joinedup serve")
    assert one(service, "Restart") == "on-failure"
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes")):
        assert one(service, key) == value
    settings = dict(value.split("=", 1) for name, value in service if name == "Environment")
    assert settings["JOINEDUP_HOST"] == "127.0.0.1", "behind a reverse proxy on the same machine"
    database = Path(make_url(settings["DATABASE_URL"]).database or "")
    writable = one(service, "ReadWritePaths").split()
    assert str(database.parent) in writable and one(service, "WorkingDirectory") in writable
    assert "multi-user.target" in one(unit()["Install"], "WantedBy")


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    executable = Path(sys.executable).parent / "joinedup"
    if not executable.exists():
        pytest.skip(f"no installed joinedup command beside {sys.executable} to point ExecStart at")
    text = (DEPLOY / "joinedup.service").read_text(encoding="utf-8")
    copy = tmp_path / "joinedup.service"
    copy.write_text(text.replace("ExecStart=/opt/joinedup/bin/joinedup", f"ExecStart={executable}"), encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


# --- Docker, where an engine answers --------------------------------------------------------------

def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return docker("info", timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if not engine_answers():
        pytest.skip(NO_ENGINE)
    tag = f"joinedup-test:{uuid.uuid4().hex[:12]}"
    built = docker("build", "--tag", tag, str(REPO), timeout=1800)
    assert built.returncode == 0, built.stderr[-4000:]
    yield tag
    docker("rmi", "--force", tag)


def test_the_image_prints_its_version_and_runs_as_a_user_other_than_root(image: str) -> None:
    version = docker("run", "--rm", image, "joinedup", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"joinedup {VERSION}\n"
    user = docker("run", "--rm", image, "id", "-u")
    assert user.returncode == 0 and user.stdout.strip() not in ("", "0")


def test_the_image_serves_slack_on_sqlite_against_the_stand_in(image: str, tmp_path: Path,
                                                               standin: SlackStandIn) -> None:
    """The container shares this machine's network so that it reaches the stand-in on 127.0.0.1, and listens
    on 127.0.0.1 itself: nothing is reachable from outside."""
    system = docker("info", "--format", "{{.OperatingSystem}}").stdout
    if "Docker Desktop" in system:
        pytest.skip("the container reaches this machine's 127.0.0.1 only on a Linux engine (host networking)")
    config = tmp_path / "joinedup.toml"
    config.write_text(sample_toml(), encoding="utf-8")
    config.chmod(0o644)
    port, name = free_port(), f"joinedup-test-{uuid.uuid4().hex[:12]}"
    started = docker("run", "--detach", "--name", name, "--network", "host",
                     "--env", "SLACK_BOT_TOKEN=xoxb-container-test", "--env", f"SLACK_SIGNING_SECRET={SIGNING_SECRET}",
                     "--env", f"SLACK_API_URL={standin.api_url}", "--env", "JOINEDUP_HOST=127.0.0.1",
                     "--env", f"PORT={port}", "--volume", f"{config}:/etc/joinedup/joinedup.toml:ro", image)
    assert started.returncode == 0, started.stderr
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and status != 200:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=2).status
            except OSError:
                assert docker("inspect", "--format", "{{.State.Running}}", name).stdout.strip() == "true", \
                    docker("logs", name).stderr[-4000:]
                time.sleep(0.5)
        assert status == 200, docker("logs", name).stderr[-4000:]
        sender = SlackSender("127.0.0.1", port, SIGNING_SECRET, standin.response_url(), standin.trigger_id)
        assert sender.command("/joinedup", "help", user=SAM.user_id).status == 200
        assert sender.post("command=%2Fjoinedup", "application/x-www-form-urlencoded",
                           signature="v0=forged").status == 401
        assert docker("exec", name, *healthcheck_command()).returncode == 0
        stopped = docker("stop", "--time", "30", name, timeout=60)
        assert stopped.returncode == 0
        assert "Traceback" not in docker("logs", name).stderr, "a clean stop leaves no traceback in the log"
    finally:
        docker("rm", "--force", name)

