"""One runner at a time per warehouse: an exclusive lock on `<warehouse>.lock` for the whole command.

A second runner on the same warehouse stops at once with a one-line error naming the first (DuckDB
would otherwise fail later, mid-build, on its own file lock). The operating system releases the lock
when the process ends, however it ends (`kill -9` included), so no stale lock is ever left.
"""

from __future__ import annotations

import datetime
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from customer_pyramid.errors import UserError


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def warehouse_lock(database: Path, command: str) -> Iterator[None]:
    """Hold the warehouse's lock while the block runs, or raise UserError if another runner holds it."""
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 (closed by the with below)
    except OSError as error:
        raise UserError(f"cannot create the lock file {path}: {error.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise UserError(
                f"{database} is in use by another runner ({holder}): wait for it to finish, "
                "or set PYRAMID_DB to another warehouse"
            ) from None
        since = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        handle.seek(0)
        handle.truncate()
        handle.write(f"`{command}`, process {os.getpid()}, since {since}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
