"""The partnership deployment in deploy/: its files parse, and what can run here runs.

- nginx's site (deploy/nginx/coproduction.conf) passes ``nginx -t`` and, in front of
  two participant servers sharing one PostgreSQL workshop, serves pages over TLS with
  sticky routing: each page's websocket reaches the server holding its kernel, and a
  contribution crosses between the servers. The proxy hides warm kernels' addresses and
  logs no query strings. (nginx is skipped locally when missing; CI installs it.)
- the JupyterHub variant (deploy/jupyterhub/jupyterhub_config.py) loads, and a
  participant server under a JupyterHub service prefix (``--base-url``) serves a page
  whose kernel joins through that prefix, as JupyterHub's proxy forwards it.
- the systemd units, the environment file and the backup script are well formed, and
  the deployment guide names every file and every setting.
"""

from __future__ import annotations

import asyncio
import configparser
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from page_client import PageClient

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(ROOT / "benchmarks"))


def nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("nginx is not installed (tests/install-nginx.sh installs it)")
    pytest.skip("nginx is not installed (run tests/install-nginx.sh as root)")


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", str(key), "-out", str(cert), "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    return cert, key


def site_for_this_machine(folder: Path, upstreams: list[int], https: int, http: int,
                          cert: Path, key: Path) -> Path:
    """The shipped site with only its marked lines changed: addresses, ports, files."""
    text = (DEPLOY / "nginx" / "coproduction.conf").read_text()
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=0;" for p in upstreams)
    text, n = re.subn(r"(    server 10\.0\.0\.\d+:8866 max_fails=0;\n)+", servers + "\n", text)
    assert n == 1
    for old, new in ((r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
                     (r"listen 80;", f"listen 127.0.0.1:{http};"),
                     (r"/etc/letsencrypt/live/workshops\.example\.org/fullchain\.pem", str(cert)),
                     (r"/etc/letsencrypt/live/workshops\.example\.org/privkey\.pem", str(key)),
                     (r"/var/log/nginx/", f"{folder}/")):
        text, n = re.subn(old, new, text)
        assert n >= 1, old
    text = re.sub(r"    listen \[::\]:\d+.*\n", "", text)
    site = folder / "coproduction.conf"
    site.write_text(text)
    main = folder / "nginx.conf"
    main.write_text(f"""pid {folder}/nginx.pid;
error_log {folder}/main-error.log;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
""")
    return main


def test_the_nginx_site_passes_nginx_own_check(tmp_path):
    binary = nginx()
    cert, key = self_signed(tmp_path)
    main = site_for_this_machine(tmp_path, [8866, 8867], 8443, 8080, cert, key)
    checked = subprocess.run([binary, "-t", "-q", "-p", str(tmp_path), "-c", str(main)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr


class ProxiedPage:
    """PageClient through the proxy, over TLS (its websocket carries the page's cookies,
    the route cookie among them, as a browser's does)."""

    def __new__(cls, url: str, token: str, client, context: ssl.SSLContext):
        import functools

        page = PageClient(url, token)

        async def connect() -> None:
            import websockets.asyncio.client as websocket_client

            original = websocket_client.connect
            websocket_client.connect = functools.partial(original, ssl=context)
            try:
                await PageClient.connect(page)  # wss:// from the https:// origin
            finally:
                websocket_client.connect = original

        page.connect = connect
        return page


def test_nginx_serves_two_servers_with_tls_and_sticky_routing(tmp_path, postgresql):
    binary = nginx()
    import capacity
    import httpx
    from harness import free_port, running_servers

    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round
    from coproduction.store import Store

    workshop = tmp_path / f"proxied-{secrets.token_hex(3)}"
    with Store.create(workshop, title="Behind a proxy", code="PROXY") as store:
        sid = create_session(store, "language", "Letters")
        open_round(store, sid)
        SharedLanguage(store, sid).put_text("Letter", capacity.TEXT)
    cert, key = self_signed(tmp_path)
    https, http = free_port(), free_port()
    public = f"https://127.0.0.1:{https}"
    token = secrets.token_urlsafe(24)
    shared = {"workshop_code": "PROXY", "database_url": postgresql, "token": token,
              "public_url": public}
    words = f"words through the proxy {secrets.token_hex(3)}"

    upstreams = [free_port(), free_port()]
    with running_servers(workshop, port=upstreams[0], **shared) as one, \
            running_servers(workshop, port=upstreams[1], **shared) as two:
        assert one.join_url == two.join_url
        assert one.join_url.startswith(public + "/voila/render/workshop.ipynb?token=")
        main = site_for_this_machine(tmp_path, upstreams, https, http, cert, key)
        proxy = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(main),
                                  "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        try:
            context = ssl.create_default_context(cafile=str(cert))

            async def journey() -> dict:
                out: dict = {"holders": []}
                pages, clients = [], []
                for _ in range(12):  # new browsers until both servers hold a page
                    client = httpx.AsyncClient(verify=context)
                    page = ProxiedPage(one.join_url, token, client, context)
                    await page.fetch(client)
                    holder = await _holder(page, token, upstreams)
                    cookie = client.cookies.get("coproduction_route")
                    out.setdefault("cookie", cookie)
                    await page.connect()  # through the proxy, with the route cookie
                    await page.join(f"Person {len(pages) + 1}")
                    pages.append(page)
                    clients.append(client)
                    out["holders"].append(holder)
                    if len(set(out["holders"])) == 2:
                        break
                first = pages[out["holders"].index(upstreams[0])]
                second = pages[out["holders"].index(upstreams[1])]
                sent = await first.propose(words)
                await second.until(lambda: words in second.seen, 30)
                out["crossed"] = second.seen[words] - sent
                response = await clients[0].get(f"{public}/voila/render/workshop.ipynb",
                                                params={"token": token})
                out["headers"] = response.headers
                query = await clients[0].get(f"{public}/voila/query/{first.kernel_id}")
                out["query_status"] = query.status_code
                async with httpx.AsyncClient() as plain:
                    moved = await plain.get(f"http://127.0.0.1:{http}/voila/render/x?token=t")
                out["redirect"] = (moved.status_code, moved.headers.get("location"))
                for page in pages:
                    await page.close()
                for client in clients:
                    await client.aclose()
                return out

            _wait_for_port(https)
            out = asyncio.run(journey())
        finally:
            proxy.send_signal(signal.SIGQUIT)
            try:
                proxy.wait(20)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait(10)

    assert len(set(out["holders"])) == 2, "every page landed on one server"
    assert out["crossed"] < 10
    assert out["query_status"] == 403, "a warm kernel's address is reachable through the proxy"
    assert out["redirect"][0] == 301 and out["redirect"][1].startswith("https://")
    cookie = out["headers"].get("set-cookie", "")
    assert "coproduction_route=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert "max-age=" in out["headers"].get("strict-transport-security", "")
    assert "default-src 'self'" in out["headers"].get("content-security-policy", "")
    access = (tmp_path / "coproduction-access.log").read_text()
    assert "/voila/render/workshop.ipynb" in access
    assert "token" not in access and token not in access and "?" not in access


async def _holder(page, token: str, ports: list[int]) -> int:
    """The server that holds the page's kernel: the one that answers its ticket."""
    import httpx

    async with httpx.AsyncClient() as client:
        for port in ports:
            answer = await client.get(f"http://127.0.0.1:{port}/api/kernels/{page.kernel_id}",
                                      params={"token": token}, headers=page.ticket_header())
            if answer.status_code == 200:
                return port
    raise AssertionError("no server holds the page's kernel")


def _wait_for_port(port: int, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


# --- JupyterHub ----------------------------------------------------------------------------


def _jupyterhub_config():
    from traitlets.config import Config

    config = Config()
    source = (DEPLOY / "jupyterhub" / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config})
    return config, source


def test_the_jupyterhub_config_makes_each_server_a_service_under_tls():
    config, source = _jupyterhub_config()
    hub = config.JupyterHub
    assert hub.bind_url.startswith("https://") and hub.ssl_cert and hub.ssl_key
    names = [s["name"] for s in hub.services]
    assert len(names) >= 2 and len(set(names)) == len(names)
    for service in hub.services:
        assert set(service) == {"name", "url", "display"} and service["display"] is False
        assert re.fullmatch(r"http://[\w.]+:\d+", service["url"])
        assert "api_token" not in service, "the servers never call the hub's API"
    # The comment's serve command matches a service: its prefix and its public address.
    assert f"--base-url /services/{names[0]}/" in source
    assert f"--public-url https://workshops.example.org/services/{names[0]}" in source


def test_a_server_under_a_jupyterhub_service_path_serves_a_page_that_joins(tmp_path):
    """JupyterHub's proxy forwards /services/<name>/... unchanged; the server serves there."""
    import capacity
    import httpx
    from harness import free_port, running_servers, token_of

    from coproduction.servers.serve import ServerError, ServerSettings, start_servers

    workshop = capacity.make_workshop(tmp_path / "hub")
    port, prefix = free_port(), "/services/coproduction-a"
    public = f"http://127.0.0.1:{port}{prefix}"
    with running_servers(workshop, port=port, workshop_code=capacity.CODE,
                         base_url=prefix + "/", public_url=public) as servers:
        assert servers.join_url.startswith(f"{public}/voila/render/workshop.ipynb?token=")
        token = token_of(servers.join_url)

        async def visit() -> dict:
            async with httpx.AsyncClient() as client:
                page = PageClient(servers.join_url, token)  # under the prefix throughout
                await page.fetch(client)
                await page.connect()
                await page.join("Ana")
                outside = await client.get(f"http://127.0.0.1:{port}/voila/render/"
                                           "workshop.ipynb", params={"token": token})
                you = page.text_of("you-are")
                await page.close()
                return {"you": you, "outside": outside.status_code}

        out = asyncio.run(visit())
    assert out["you"] == "You are taking part as Ana."
    assert out["outside"] == 404, "the server answers only under its service path"
    for bad in ("/services/../x/", "services x", "/a?b/"):
        with pytest.raises(ServerError, match="base URL"):
            start_servers(ServerSettings(workshop=workshop, base_url=bad, host="127.0.0.1",
                                         port=free_port(), console_port=free_port()))


# --- systemd, backups and the guide ---------------------------------------------------------


def test_the_systemd_unit_keeps_secrets_off_the_command_line():
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str
    unit.read_string((DEPLOY / "systemd" / "coproduction.service").read_text())
    service = unit["Service"]
    start = service["ExecStart"]
    assert " serve " in start and "--public-url" in start
    assert "TOKEN" not in start and "DATABASE_URL" not in start and "postgresql://" not in start
    assert service["EnvironmentFile"] == "/etc/coproduction/coproduction.env"
    env = dict(line.split("=", 1) for line in
               (DEPLOY / "systemd" / "coproduction.env.example").read_text().splitlines()
               if line and not line.startswith("#"))
    for name in re.findall(r"\$\{(\w+)\}", start):
        assert name in env, name
    assert {"COPRODUCTION_DATABASE_URL", "COPRODUCTION_TOKEN"} <= set(env)
    assert ":" not in env["COPRODUCTION_DATABASE_URL"].split("@")[0].removeprefix(
        "postgresql://"), "the example URL carries no password"


def _pg_dump_folder() -> str:
    found = shutil.which("pg_dump")
    if found:
        return str(Path(found).parent)
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    if folders:
        return str(folders[-1].parent)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("pg_dump is not installed")
    pytest.skip("pg_dump is not installed")


def test_the_backup_script_dumps_every_workshop_and_drops_old_backups(tmp_path, postgresql):
    """A withdrawal reaches the backups when the older ones are gone: the script sees to it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from coproduction.core.participants import join_workshop
    from coproduction.demo import make_demo
    from coproduction.privacy.consent import withdraw_participant
    from coproduction.store import Store
    from coproduction.store.schema import TABLES

    script = DEPLOY / "backup" / "backup.sh"
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0
    workshop = tmp_path / f"backed-{secrets.token_hex(3)}"
    make_demo(workshop).close()
    secret = f"Backup Person {secrets.token_hex(2)}"
    with Store.open(workshop) as store:
        person, _ = join_workshop(store, code=store.workshop()["code"], pseudonym=secret[:40])

    # The password goes in a pgpass file, as the guide says, never in the URL.
    parts = conninfo_to_dict(postgresql)
    password = parts.pop("password")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{parts['host']}:{parts.get('port', 5432)}:*:{parts['user']}:{password}\n")
    pgpass.chmod(0o600)
    url = make_conninfo(**parts)
    backups = tmp_path / "backups"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COPRODUCTION_")},
           "COPRODUCTION_DATABASE_URL": url, "PGPASSFILE": str(pgpass),
           "BACKUPS": str(backups), "KEEP_DAYS": "7",
           "PATH": _pg_dump_folder() + os.pathsep + os.environ["PATH"]}

    def backup() -> Path:
        done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert password not in done.stdout + done.stderr
        return max(backups.glob("coproduction-*.dump"), key=lambda p: p.stat().st_mtime)

    def text_of(dump: Path) -> str:
        shown = subprocess.run([str(Path(env["PATH"].split(os.pathsep)[0]) / "pg_restore"),
                                "--file=-", str(dump)], capture_output=True, text=True,
                               timeout=120, check=False)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout

    before = backup()
    assert before.stat().st_mode & 0o077 == 0, "a backup is readable by its owner only"
    assert secret in text_of(before)
    old = time.time() - 8 * 24 * 3600
    os.utime(before, (old, old))  # a week and a day later

    with Store.open(workshop) as store:
        withdraw_participant(store, person.participant_id)
        rows = {name: store.select(name) for name in TABLES}
    time.sleep(1.1)  # a new file name (its time is to the second)
    after = backup()
    assert not before.exists(), "a backup older than KEEP_DAYS was kept"
    assert secret not in text_of(after) and "COPY" in text_of(after)

    # The dump restores into an empty database, every row as it was.
    restored_db = f"restore_{secrets.token_hex(3)}"
    with psycopg.connect(postgresql, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {restored_db}")
    try:
        restored_url = make_conninfo(postgresql, dbname=restored_db)
        restore = subprocess.run([str(Path(env["PATH"].split(os.pathsep)[0]) / "pg_restore"),
                                  "--no-owner", f"--dbname={restored_url}", str(after)],
                                 capture_output=True, text=True, timeout=300, check=False)
        assert restore.returncode == 0, restore.stderr.replace(password, "***")
        with Store.open(workshop, database=restored_url) as restored:
            assert {name: restored.select(name) for name in TABLES} == rows
    finally:
        with psycopg.connect(postgresql, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {restored_db} WITH (FORCE)")


def test_the_guide_names_every_file_and_setting():
    guide = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.name != "README.md":
            assert f"`{path.relative_to(DEPLOY)}`" in guide, path
    for name in ("COPRODUCTION_DATABASE_URL", "COPRODUCTION_TOKEN", "--public-url",
                 "--base-url", "coproduction move", "VACUUM FULL", "KEEP_DAYS",
                 "one schema per workshop", "127.0.0.1", "ssh -L", "/voila/query/"):
        assert name in guide, name


def test_the_database_connection_is_tls_with_the_servers_certificate_checked(
        tmp_path, postgresql):
    """deploy/README.md says what protects a workshop in PostgreSQL: TLS with
    sslmode=verify-full. The kit works over it, and it refuses a server whose
    certificate the given authority did not sign, in a plain sentence."""
    import psycopg
    from harness import coproduction

    authority = os.environ.get("COPRODUCTION_TEST_PGCA")
    if not authority:
        pytest.fail("the test PostgreSQL server has no TLS (start it with tests/postgresql.sh)")
    checked = f"{postgresql}?sslmode=verify-full&sslrootcert={authority}"
    with psycopg.connect(checked) as conn:
        assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
                            ).fetchone() == (True,)
    env = {**os.environ, "COPRODUCTION_DATABASE_URL": checked}
    made = coproduction("new", "--workshop", "over-tls", "--title", "Over TLS", env=env)
    assert made.returncode == 0 and "encrypted" not in made.stdout, made.stderr
    assert "Nobody has joined yet" in coproduction("participants", "--workshop", "over-tls",
                                                   env=env).stdout
    guide = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "sslmode=verify-full" in guide and "disk encryption" in guide.lower()
    other = tmp_path / "other-authority.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=someone-else", "-keyout", str(tmp_path / "k"), "-out",
                    str(other)], check=True, capture_output=True, timeout=60)
    refused = coproduction("participants", "--workshop", "over-tls", env={
        **env, "COPRODUCTION_DATABASE_URL": f"{postgresql}?sslmode=verify-full&"
                                            f"sslrootcert={other}"})
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert "TLS certificate could not be checked" in refused.stderr
