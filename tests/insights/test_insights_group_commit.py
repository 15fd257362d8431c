"""Group commit: concurrent batches share transactions, every count is written, each caller returns
only after its own counts are written, and a failed write is raised to every caller of that group."""

import threading
import time
from contextlib import nullcontext

import pytest
from liveserver import wait_for

from webapp.insights import counts
from webapp.insights.group_commit import GroupCommit


class SlowStore:
    """A store that takes a while per transaction and records what each one held."""

    def __init__(self, fail_first: bool = False):
        self.written: list[counts.Counts] = []
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def write(self, group: counts.Counts) -> None:
        """Take 20 ms, like an fsync on a busy disk; the first one may fail."""
        time.sleep(0.02)
        with self.lock:
            if self.fail_first and not self.written:
                self.written.append(counts.Counts())
                raise RuntimeError("disk full")
            self.written.append(group)


def run_threads(target, count: int) -> list[BaseException]:
    """Run `target(n)` in `count` threads at once; the errors they raised."""
    errors = []

    def guarded(number: int) -> None:
        try:
            target(number)
        except BaseException as error:  # noqa: BLE001 - collected for the assertions
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_batches_share_transactions_and_every_count_is_written():
    store = SlowStore()
    group = GroupCommit(store.write)
    early = []

    def send(number: int) -> None:
        for turn in range(10):
            key = ("article", "2026-12-02", f"t{number}-{turn}", "views")
            group.add(counts.Counts({key: 1}))
            with store.lock:  # add has returned: a finished write must hold this very count
                if not any(key in written for written in store.written):
                    early.append(key)

    assert run_threads(send, 16) == []
    assert sum(sum(written.values()) for written in store.written) == 160
    assert len(store.written) < 160 / 2  # shared, not one transaction per batch
    assert early == []


def test_a_failed_write_is_raised_to_each_caller_of_its_group_and_the_next_group_is_written():
    store = SlowStore(fail_first=True)
    group = GroupCommit(store.write)
    key = ("article", "2026-12-02", "a", "views")
    errors = run_threads(lambda n: group.add(counts.Counts({key: 1})), 8)
    written = sum(batch[key] for batch in store.written)
    assert errors and all(str(error) == "disk full" for error in errors)
    assert written + len(errors) == 8  # every count either written or reported as failed to its caller


def test_a_single_caller_writes_its_own_batch():
    store = SlowStore()
    group = GroupCommit(store.write)
    group.add(counts.Counts({("article", "2026-12-02", "a", "reads"): 2}))
    assert store.written == [counts.Counts({("article", "2026-12-02", "a", "reads"): 2})]
    with pytest.raises(RuntimeError):
        GroupCommit(SlowStore(fail_first=True).write).add(
            counts.Counts({("article", "2026-12-02", "a", "reads"): 1})
        )


def test_what_arrives_while_the_writer_waits_for_its_turn_joins_its_group():
    store, other_process = SlowStore(), threading.Lock()
    group = GroupCommit(store.write, queue=lambda: other_process)
    key = ("article", "2026-12-02", "a", "views")
    other_process.acquire()  # another process is writing: the first caller waits for its turn
    first = threading.Thread(target=group.add, args=(counts.Counts({key: 1}),))
    first.start()
    wait_for(lambda: group.writing)
    late = [threading.Thread(target=group.add, args=(counts.Counts({key: 1}),)) for _ in range(3)]
    for thread in late:
        thread.start()
    wait_for(lambda: group.pending[key] == 4)
    other_process.release()
    for thread in [first, *late]:
        thread.join()
    assert store.written == [counts.Counts({key: 4})]  # one transaction for the four


def test_a_queue_that_fails_fails_its_group_and_the_next_group_is_written():
    store, turns = SlowStore(), []

    def queue():
        turns.append(len(turns))
        if len(turns) == 1:
            raise OSError("the lock file cannot be opened")
        return nullcontext()

    group = GroupCommit(store.write, queue=queue)
    key = ("article", "2026-12-02", "a", "views")
    with pytest.raises(OSError):
        group.add(counts.Counts({key: 1}))
    group.add(counts.Counts({key: 2}))
    assert store.written == [counts.Counts({key: 2})]  # the failed group's count is not written later
