"""Exclusive locks for batches that must not run twice at once (the end-of-day run).

On PostgreSQL a session advisory lock; on SQLite, which only ever serves one machine, an `flock` on a
file next to the database (a process-local lock for an in-memory database, which no other process can
open). Both are let go by the database or the operating system when the holder dies, so a killed batch
never leaves a lock behind that somebody would have to clear by hand.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


def lock_key(name: str) -> int:
    """The signed 64-bit key PostgreSQL's advisory locks take, stable across processes and releases."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _sqlite_lock_path(name: str) -> Path | None:
    db = str(connection.settings_dict.get("NAME") or "")
    test_name = str((connection.settings_dict.get("TEST") or {}).get("NAME") or "")
    if not db or db == ":memory:" or "mode=memory" in db or "mode=memory" in test_name:
        return None
    base = Path(db)
    directory = base.parent if base.parent.is_dir() else Path(settings.VAR_DIR)
    return directory / f"{base.name}.{name}.lock"


@contextlib.contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Hold the lock `name` for the block if nobody else holds it; yields whether it was obtained
    (never waits: a second batch should say "already running", not queue behind the first)."""
    if connection.vendor == "postgresql":
        key = lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got = bool(cursor.fetchone()[0])
        try:
            yield got
        finally:
            if got:
                # A lost connection has already released the lock with its session.
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
                except DatabaseError:
                    logger.warning("lock %s: the connection closed before the release", name)
        return
    path = _sqlite_lock_path(name)
    if path is None:
        with _local_guard:
            lock = _local_locks.setdefault(name, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            got = True
        except BlockingIOError:
            got = False
        yield got
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def is_held(name: str) -> bool:
    """Whether someone (another process or thread) holds `name` right now."""
    with exclusive(name) as got:
        return not got
