"""Two (or more) real app servers on one database, one media folder and one Redis, set up
with the commands of the README's production section (migrate, collectstatic,
check --deploy, gunicorn). Used by tests/servers/test_two_servers.py and bench/two_servers.py.

The database is made for the run: a SQLite file in a temporary folder, or, when the
DATABASE_URL this process runs with is PostgreSQL, a dedicated database next to it
(`<name>_two_servers`, dropped afterwards). The Redis database (15 unless
TWO_SERVERS_REDIS_URL names another) is emptied before and after: it must be one no one
else uses.
"""
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SECRET_KEY = "two-servers-test-only-" + "s" * 40
# The servers' Redis: database 15 of the local Redis unless the environment names another.
REDIS_URL = os.environ.get("TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/15")
# The load balancer's address (the servers believe its X-Forwarded-For) and a client behind it.
PROXY = "127.0.0.1"


class CommandFailed(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A database made for one run; `url` is its DATABASE_URL."""

    def __init__(self, folder):
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(base)
            self.name = (parts.path.lstrip("/") or "outreach") + "_two_servers"
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self.postgres = True
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
        else:
            self.path = Path(folder) / "servers.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self.postgres = False

    def _admin(self, *statements):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def scalar(self, sql, params=()):
        """One value read straight from the servers' database (SQL with %s placeholders)."""
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as connection:
                return connection.execute(sql, params).fetchone()[0]
        connection = sqlite3.connect(self.path, timeout=20)
        try:
            return connection.execute(sql.replace("%s", "?"), params).fetchone()[0]
        finally:
            connection.close()

    def drop(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def server_env(database_url, media_root, static_root, **extra):
    """The production environment of the README's recipe, pointed at this run's services."""
    # Nothing of the test run's own: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the
    # whole run when collected, which a deployment never has (check --deploy refuses it).
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "TASKS_BACKEND", "CACHE_BACKEND", "CACHE_LOCATION",
                        "DEBUG", "MEDIA_ROOT", "STATIC_ROOT", "DJANGO_SETTINGS_MODULE", "TEST_SQLITE_NAME",
                        "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "TASKS_BACKEND": "rq",
        "TRUSTED_PROXIES": PROXY,
        "MEDIA_ROOT": str(media_root),
        "STATIC_ROOT": str(static_root),
        "PYTHONPATH": str(ROOT),
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(args, env, timeout=300):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise CommandFailed(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                            f"{result.stderr[-4000:]}")
    return result.stdout


def prepare(env):
    """The README's set-up commands: migrate (then the seed data), collectstatic and
    check --deploy, which must report no issue; the three run side by side. With REDIS_URL
    there is no cache table to make. Returns what the seed printed."""
    manage = [PYTHON, "manage.py"]
    beside = [subprocess.Popen(manage + args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
              for args in (["collectstatic", "--noinput", "-v0"], ["check", "--deploy"])]
    try:
        run(manage + ["migrate", "--noinput", "-v0"], env)
        seeded = seed(env)
        for step in beside:
            out, err = step.communicate(timeout=300)
            if step.returncode != 0:
                raise CommandFailed(f"{step.args} failed:\n{out[-2000:]}\n{err[-4000:]}")
            if "check" in step.args and "no issues" not in out:
                raise CommandFailed("check --deploy reported issues:\n" + out + err)
    finally:
        for step in beside:
            if step.poll() is None:
                step.kill()
                step.communicate()
    return seeded


def seed(env):
    import json

    out = run([PYTHON, "manage.py", "shell", "-c", "from tests.servers.seed import seed; seed()"], env)
    return json.loads(out.strip().splitlines()[-1])


class Server:
    """One app server: the README's gunicorn command on a free loopback port."""

    def __init__(self, name, env, folder, workers=2):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(folder) / f"gunicorn-{name}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "config.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                 "--access-logfile", "-", "--timeout", "30"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait(self, timeout=60):
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandFailed(f"gunicorn {self.name} exited:\n{self.tail()}")
            try:
                if requests.get(self.url + "/accounts/login/", timeout=15,
                                headers={"X-Forwarded-Proto": "https"}).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        raise CommandFailed(f"gunicorn {self.name} did not answer in {timeout} s:\n{self.tail()}")

    def tail(self):
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Browser:
    """One person's browser behind the load balancer: its cookies go to whichever server
    it talks to, and every request arrives as the balancer sends it (HTTPS ended there,
    the client's address appended to X-Forwarded-For)."""

    def __init__(self, client_ip="203.0.113.7"):
        import requests

        self.client_ip, self.cookies, self.http = client_ip, {}, requests.Session()

    def _send(self, method, server, path, forwarded_for=None, **kwargs):
        host = f"127.0.0.1:{server.port}"
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": forwarded_for or self.client_ip,
            "Referer": f"https://{host}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.cookies.clear()  # cookies are ours to send (they are Secure, the hop is plain HTTP)
        response = self.http.request(method, server.url + path, headers=headers, allow_redirects=False,
                                     timeout=30, **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, server, path, **kwargs):
        return self._send("GET", server, path, **kwargs)

    def post(self, server, path, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))
        return self._send("POST", server, path, data=data, **kwargs)

    def log_in(self, server, username, password):
        self.get(server, "/accounts/login/")
        return self.post(server, "/accounts/login/", {"username": username, "password": password})


class Cluster:
    """Servers A and B (and more) sharing one database, one media folder and one Redis."""

    def __init__(self, servers=2, workers=2, **extra_env):
        self.folder = Path(tempfile.mkdtemp(prefix="outreach-servers-"))
        self.servers, self.database = [], None
        try:
            self.database = Database(self.folder)
            self.media = self.folder / "media"  # the shared volume
            self.env = server_env(self.database.url, self.media, self.folder / "static", **extra_env)
            flush_redis()
            self.seeded = prepare(self.env)
            for name in "ABCDEFGH"[:servers]:
                self.servers.append(Server(name, self.env, self.folder, workers=workers))
            for server in self.servers:
                server.wait()
        except BaseException:
            self.close()
            raise

    def close(self):
        for server in self.servers:
            server.stop()
        if self.database is not None:
            self.database.drop()
        flush_redis()
        shutil.rmtree(self.folder, ignore_errors=True)


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
