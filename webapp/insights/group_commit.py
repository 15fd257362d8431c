"""Group commit: the batches that arrive while a transaction is being written share the next one.

Each request still answers only after its own counts are committed, so nothing is lost in a crash; but
a busy worker writes one transaction (one fsync on SQLite) for all its waiting requests, not one each.
When writers of several processes take turns (`queue`, SQLite's file lock), a group is taken only once
its turn has come: what arrives while another process writes joins it.
"""

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from webapp.insights import counts


class GroupCommit:
    """Joins concurrent `add` calls of one process into as few `write` calls as possible."""

    def __init__(
        self,
        write: Callable[[counts.Counts], object],
        queue: Callable[[], AbstractContextManager] = nullcontext,
    ):
        self.write, self.queue = write, queue
        self.cond = threading.Condition()
        self.pending = counts.Counts()
        self.open = 1  # the number of the group now gathering counts
        self.done = 0  # the last group written (or failed)
        self.writing = False
        self.errors: dict[int, Exception] = {}

    def add(self, added: counts.Counts) -> None:
        """Add increments and return once the group holding them is written; its error is raised here."""
        with self.cond:
            self.pending.update(added)
            mine = self.open
            while self.done < mine:
                if self.writing:
                    self.cond.wait()
                    continue
                # Nobody is writing: this thread writes the gathering group (its own) for everyone in it,
                # taken when its turn in the queue comes.
                self.writing, group = True, None
                self.cond.release()
                try:
                    with self.queue():
                        with self.cond:
                            group, self.pending, self.open = self.pending, counts.Counts(), mine + 1
                        self.write(group)
                except BaseException as error:  # handed to every request of the group, this one too
                    failure = error
                else:
                    failure = None
                finally:
                    self.cond.acquire()
                if group is None:  # the queue failed before the group was taken: the group fails with it
                    self.pending, self.open = counts.Counts(), mine + 1
                if failure is not None:
                    self.errors[mine] = failure
                self.errors = {number: error for number, error in self.errors.items() if number > mine - 100}
                self.writing, self.done = False, mine
                self.cond.notify_all()
            error = self.errors.get(mine)
        if error is not None:
            raise error
