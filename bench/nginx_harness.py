"""Run the nginx config we ship (deploy/nginx/) on loopback, for the bench and the deploy tests.

The shipped files are copied unchanged except for what an operator would fill in (ports, certificate,
cache folder, app address); each substitution must match, so a change to the shipped file that the
harness no longer understands fails loudly instead of testing something else.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN = """\
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
{servers}
}}
"""

# The limit: nginx sending one article's compressed HTML from a file, as our server would send it.
STATIC_SERVER = """\
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /article {{
            default_type text/html;
            add_header Content-Encoding br;
            add_header Vary Accept-Encoding;
            try_files /article.html.br =404;
        }}
    }}
"""


def self_signed(folder: Path, host: str = "healthytips.example") -> tuple[Path, Path]:
    """A throwaway certificate and key for `host` (and 127.0.0.1), made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _substitute(text: str, pattern: str, replacement: str) -> str:
    """Replace a pattern that must occur in the shipped config."""
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if not count:
        raise ValueError(f"deploy/nginx/healthytips.conf no longer has {pattern!r}")
    return new


def site_config(
    prefix: Path, app: str, http_port: int, https_port: int, cert: Path, key: Path, access_log: bool = False
) -> str:
    """The shipped healthytips.conf with the operator's blanks filled for loopback."""
    text = (SHIPPED / "healthytips.conf").read_text()
    text = _substitute(text, r"^\s*listen \[::\]:\d+.*\n", "")
    text = _substitute(text, r"listen 80;", f"listen 127.0.0.1:{http_port};")
    text = _substitute(text, r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    text = _substitute(text, r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};")
    text = _substitute(text, r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};")
    text = _substitute(text, r"server 127\.0\.0\.1:8000;", f"server {app};")
    text = _substitute(text, r"proxy_cache_path \S+", f"proxy_cache_path {prefix}/cache")
    text = _substitute(text, r"root /var/www/letsencrypt;", f"root {prefix}/acme;")
    # The shipped (masked) access log goes to the prefix when asked for; benches measure without one,
    # like the file server they are compared with.
    log = f"access_log {prefix}/access.log" if access_log else "access_log off; #"
    text = _substitute(text, r"access_log /var/log/nginx/\S+", log)
    return text


def plain_http_site(text: str, port: int) -> str:
    """An extra plain-HTTP server using the shipped locations (wrk measures without TLS)."""
    return text + (
        f"\nserver {{\n    listen 127.0.0.1:{port};\n    include snippets/healthytips-realip.conf;\n"
        "    include snippets/healthytips-locations.conf;\n}\n"
    )


def write(prefix: Path, servers: str, workers: int | str = 1) -> Path:
    """Write a runnable nginx.conf into `prefix` (with the shipped snippets beside it)."""
    for sub in ("tmp", "cache", "acme"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(SHIPPED / "snippets", prefix / "snippets", dirs_exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""  # workers must write the cache in a private tmp
    conf = prefix / "nginx.conf"
    conf.write_text(MAIN.format(workers=workers, prefix=prefix, user=user, servers=servers))
    return conf


def check(conf: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on a config: its verdict and messages."""
    prefix = conf.parent
    return subprocess.run(
        [NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip


def start(conf: Path, port: int) -> subprocess.Popen:
    """Run nginx in the foreground on a config and wait until it accepts connections on `port`."""
    prefix = conf.parent
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {(prefix / 'error.log').read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise RuntimeError("nginx did not answer within 10 seconds")


def stop(process: subprocess.Popen) -> None:
    """Stop nginx quickly (SIGTERM) and reap it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
