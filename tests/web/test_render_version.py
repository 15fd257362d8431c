"""The render version's memo of file digests is read only from a folder no other user can write to:
a planted memo could otherwise pin cached pages to stale or foreign content."""

import marshal
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from webapp.web.render_version import MEMO_NAME, read_memo, render_version

ROOT = Path(__file__).resolve().parents[2]


def forge(memo_path: Path) -> None:
    """Replace every remembered digest with another, keeping sizes and times (what an attacker would do)."""
    memo = marshal.loads(memo_path.read_bytes())
    memo_path.write_bytes(marshal.dumps({path: (*entry[:2], b"\0" * 16) for path, entry in memo.items()}))
    memo_path.chmod(0o644)


# (folder mode, file mode, file owner): writable by everyone, or by the group (another user's file:
# tests/web/test_render_version.py, as a service user).
CASES = [(0o777, 0o644, os.getuid()), (0o755, 0o666, os.getuid())]


def test_a_memo_others_could_have_written_is_ignored(app):
    instance = Path(app.instance_path)
    memo_path = instance / MEMO_NAME
    true_version = render_version(app)
    assert read_memo(memo_path)  # ours: used on the next start
    forge(memo_path)
    assert render_version(app) != true_version  # a trusted memo is believed (hence the checks below)
    for folder_mode, file_mode, owner in CASES:
        forge(memo_path)
        instance.chmod(folder_mode)
        memo_path.chmod(file_mode)
        os.chown(memo_path, owner, -1)
        try:
            assert read_memo(memo_path) == {}
            assert render_version(app) == true_version
        finally:
            instance.chmod(0o755)
            if memo_path.exists():
                os.chown(memo_path, os.getuid(), -1)


NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to a service user needs root")
def test_a_service_user_refuses_another_users_file():
    """The app running as its service account (nobody here) reads no file another account owns."""
    top = Path(tempfile.mkdtemp(prefix="memo-owner-"))  # not under pytest's 0700 folder: nobody must reach it
    top.chmod(0o755)
    folder = top / "instance"
    folder.mkdir()
    memo_path = folder / MEMO_NAME
    memo_path.write_bytes(marshal.dumps({"x": (1, 2, b"0" * 16)}))
    script = (
        "import pathlib, sys; from webapp.web.render_version import read_memo; "
        "print(len(read_memo(pathlib.Path(sys.argv[1]))))"
    )
    run = [
        "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        sys.executable,
        "-c",
        script,
        str(memo_path),
    ]
    outcomes = []
    for owner in (NOBODY, NOBODY + 1):  # its own file, then one of another account
        os.chown(folder, owner, owner)
        os.chown(memo_path, owner, owner)
        done = subprocess.run(run, capture_output=True, text=True, cwd=ROOT, timeout=60)
        outcomes.append(done.stdout.strip() or done.stderr[-300:])
    shutil.rmtree(top)
    assert outcomes == ["1", "0"], outcomes
