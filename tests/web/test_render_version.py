"""The render version's memo of file digests is read only from a folder no other user can write to:
a planted memo could otherwise pin cached pages to stale or foreign content."""

import marshal
import os
from pathlib import Path

from webapp.web.render_version import MEMO_NAME, read_memo, render_version


def forge(memo_path: Path) -> None:
    """Replace every remembered digest with another, keeping sizes and times (what an attacker would do)."""
    memo = marshal.loads(memo_path.read_bytes())
    memo_path.write_bytes(marshal.dumps({path: (*entry[:2], b"\0" * 16) for path, entry in memo.items()}))
    memo_path.chmod(0o644)


# (folder mode, file mode, file owner): writable by everyone, by the group, or another user's file.
CASES = [(0o777, 0o644, 0), (0o755, 0o666, 0)] + ([(0o755, 0o644, 65534)] if os.geteuid() == 0 else [])


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
                os.chown(memo_path, 0, -1)
