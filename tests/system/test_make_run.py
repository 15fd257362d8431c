"""`make run` as a new user runs it: links name the address it serves on, and no file lands in $HOME."""

import os
import signal
import subprocess
import time
import urllib.request

from liveserver import ROOT, free_port


def test_make_run_links_use_the_port_it_serves_on(tmp_path):
    """PORT=<port> make run: canonical links and the feed say that port when FLASK_SITE_URL is unset."""
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "FLASK_SITE_URL"}
    env |= {"PORT": str(port), "HOME": str(home), "FLASK_INSTANCE_PATH": str(tmp_path / "instance")}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                feed = urllib.request.urlopen(url + "/feed.xml", timeout=2).read().decode()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "make run did not answer within 60 seconds"
                time.sleep(0.2)
        home_page = urllib.request.urlopen(url + "/", timeout=5).read().decode()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)
    assert f'<link rel="canonical" href="{url}/">' in home_page
    assert f"{url}/articles/" in feed
    assert "127.0.0.1:8000" not in feed + home_page
    assert list(home.iterdir()) == [], "the server left files in the user's home directory"
