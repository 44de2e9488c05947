"""The deployment files hold together, checked without a Docker engine.

`docker-compose.yml` is read as YAML (its merge keys resolved), `deploy/nginx.conf` by its
`location` blocks, the Dockerfile by its instructions; names and ports are compared across the
three and with the routes the code registers. Where the docker CLI has the compose plugin,
`docker compose config` validates the file too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.channels import sms, telegram, ussd
from gateway.paystack import webhook as paystack_webhook
from gateway.sms import routes as sms_routes
from gateway.webhooks import vtpass as vtpass_webhook

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"postgres", "redis", "migrate", "gateway", "worker", "nginx"}
TOKEN = "t0k3n-" + "x" * 24  # a PAYLINK_AT_CALLBACK_TOKEN / VTPass webhook token as sent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def default_of(value: str) -> str:
    """`${NAME:-default}` as compose reads it with NAME unset: the default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def command(service: dict[str, Any]) -> str:
    return " ".join(service["command"])


def test_compose_has_the_production_services(services):
    assert set(services) == SERVICES


def test_migrate_runs_once_after_postgres_is_healthy(services):
    migrate = services["migrate"]
    assert command(migrate) == "paylink migrate"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", ["gateway", "worker"])
def test_gateways_and_workers_start_after_the_migration_and_healthy_stores(services, name):
    assert services[name]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


@pytest.mark.parametrize("name", ["gateway", "worker"])
def test_there_are_several_gateways_and_workers(services, name):
    assert int(default_of(services[name]["deploy"]["replicas"])) >= 2


def test_roles_run_the_paylink_commands(services):
    assert command(services["gateway"]) == "paylink serve --host 0.0.0.0 --port 8080"
    assert command(services["worker"]) == "paylink worker"


@pytest.mark.parametrize("name", ["postgres", "redis", "gateway", "nginx"])
def test_every_long_running_service_with_a_probe_has_a_healthcheck(services, name):
    check = services[name]["healthcheck"]
    assert check["test"][0] == "CMD"
    assert check["interval"]


def test_the_gateway_is_healthy_when_ready_and_nginx_waits_for_it(services):
    assert "http://127.0.0.1:8080/readyz" in " ".join(services["gateway"]["healthcheck"]["test"])
    assert services["nginx"]["depends_on"] == {"gateway": {"condition": "service_healthy"}}
    assert "/healthz" in " ".join(services["nginx"]["healthcheck"]["test"])


def test_the_gateway_gets_time_to_drain_before_it_is_killed(services):
    grace_s = int(services["gateway"]["stop_grace_period"].removesuffix("s"))
    assert grace_s >= 5 + 30  # PAYLINK_SHUTDOWN_DELAY + PAYLINK_SHUTDOWN_TIMEOUT defaults


@pytest.mark.parametrize("name", ["migrate", "gateway", "worker"])
def test_paylink_processes_read_their_secrets_from_the_env_file(services, name):
    assert services[name]["env_file"] == "${PAYLINK_ENV_FILE:-.env}"
    assert default_of(services[name]["env_file"]) == ".env"


def test_the_compose_file_itself_holds_no_secret(services):
    secret = re.compile(r"SECRET|_KEY$|TOKEN|PEPPER|PASSWORD")
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if secret.search(key):
                assert str(value).startswith("${"), f"{name}: {key} is written in the file"
    assert "POSTGRES_PASSWORD:?" in services["migrate"]["environment"]["PAYLINK_DATABASE_URL"]


def test_the_env_file_never_enters_the_image_or_git():
    assert ".env" in (ROOT / ".dockerignore").read_text().split()
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_only_nginx_publishes_a_port(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    assert services["gateway"]["expose"] == ["8080"]


# --- nginx ---------------------------------------------------------------------------------


def nginx_conf() -> str:
    return (ROOT / "deploy" / "nginx.conf").read_text()


def locations() -> list[tuple[bool, str, str]]:
    """(exact, path, body) of every `location` block."""
    found = re.findall(r"location\s+(=\s+)?(\S+)\s*\{([^}]*)\}", nginx_conf())
    return [(bool(exact), path, body) for exact, path, body in found]


def location_for(uri: str) -> tuple[str, str]:
    """The block nginx picks for `uri` (exact match first, else the longest prefix)."""
    for exact, path, body in locations():
        if exact and path == uri:
            return path, body
    prefixes = [(path, body) for exact, path, body in locations() if not exact]
    return max(
        ((path, body) for path, body in prefixes if uri.startswith(path)),
        key=lambda found: len(found[0]),
    )


def callback_paths() -> list[str]:
    """Every outside callback the gateway serves, as its caller sends it (with tokens)."""
    return [
        ussd.ROUTE,
        f"{ussd.ROUTE}/{TOKEN}",
        f"{ussd.ROUTE}/{TOKEN}{ussd.EVENTS_SUFFIX}",
        f"{sms.ROUTE}/{TOKEN}{sms.INBOUND_SUFFIX}",
        f"{sms_routes.SMS_AT_BASE}/{TOKEN}/delivery",
        telegram.ROUTE,
        paystack_webhook.ROUTE,
        vtpass_webhook.ROUTE.replace("{token}", TOKEN),
    ]


def test_nginx_upstream_is_the_gateway_service_on_its_port(services):
    upstream = re.search(r"upstream\s+(\w+)\s*\{([^}]*)\}", nginx_conf())
    assert upstream is not None
    name, body = upstream.groups()
    assert re.findall(r"server\s+(\S+?)(?:\s|;)", body) == ["gateway:8080"]
    assert "gateway" in services
    proxied = {
        m for _, _, body in locations() for m in re.findall(r"proxy_pass http://(\w+);", body)
    }
    assert proxied == {name}


def test_nginx_is_mounted_from_the_repository(services):
    mount = services["nginx"]["volumes"][0]
    source, target, _ = mount.split(":")
    assert (ROOT / source).resolve() == ROOT / "deploy" / "nginx.conf"
    assert target == "/etc/nginx/nginx.conf"


@pytest.mark.parametrize("path", callback_paths())
def test_each_callback_has_its_own_proxied_location(path):
    matched, body = location_for(path)
    assert matched != "/", f"{path} falls through to the catch-all"
    assert "proxy_pass" in body
    assert "proxy_read_timeout" in body


@pytest.mark.parametrize("path", ["/metrics", "/readyz"])
def test_internal_routes_are_not_exposed_through_nginx(path):
    _, body = location_for(path)
    assert "proxy_pass" not in body
    assert "return 404" in body


def test_the_api_and_web_app_go_through_the_catch_all():
    matched, body = location_for("/api/v1/auth/login")
    assert matched == "/"
    assert "proxy_pass" in body


def test_nginx_passes_the_request_id_through_and_logs_it():
    conf = nginx_conf()
    assert re.search(r"map \$http_x_request_id \$paylink_request_id", conf)
    assert "proxy_set_header X-Request-Id $paylink_request_id;" in conf
    assert "request_id=$paylink_request_id" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf


# --- Dockerfile ----------------------------------------------------------------------------


def dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_the_image_installs_the_package_with_uvloop():
    runs = [line for line in dockerfile() if line.startswith("RUN ")]
    assert any("pip wheel" in run and "'.[uvloop]'" in run for run in runs)
    assert any("pip install" in run and "/wheels/" in run for run in runs)
    copied = [line for line in dockerfile() if line.startswith("COPY ")]
    assert "COPY gateway ./gateway" in copied


def test_the_image_runs_paylink_serve_as_a_non_root_user():
    lines = dockerfile()
    assert lines[-1] == 'CMD ["paylink", "serve", "--host", "0.0.0.0", "--port", "8080"]'
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}
    assert "STOPSIGNAL SIGTERM" in lines


DOCKER = shutil.which("docker")


def has_compose_plugin() -> bool:
    if DOCKER is None:
        return False
    probe = subprocess.run([DOCKER, "compose", "version"], capture_output=True, check=False)  # noqa: S603
    return probe.returncode == 0


@pytest.mark.skipif(not has_compose_plugin(), reason="no `docker compose` on this machine")
def test_docker_compose_config_accepts_the_file():
    assert DOCKER is not None
    result = subprocess.run(  # noqa: S603 - our own file
        [DOCKER, "compose", "--env-file", ".env.example", "config", "--quiet"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "POSTGRES_PASSWORD": "x",
            "PAYLINK_ENV_FILE": ".env.example",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
