"""The file of `pns-mock serve --state FILE`: SQLite, written in group commits.

Three tables: `meta` (format version, the configuration the log starts from, the clock),
`events` (acknowledged changes, in the order they happened) and `pushes` (pushes not delivered
yet, by the deliverer's id). Writers queue statements (`append`, `put_push`, ...) and get a
ticket; `wait(ticket)` returns once that statement is on disk. The first waiter commits
everything queued so far in one transaction while later ones wait for it, so concurrent
requests share one fsync. A background thread commits what nobody waits for (push states).

WAL journal with `synchronous=FULL`: a committed transaction survives `kill -9` and power loss.
`locking_mode=EXCLUSIVE` keeps a second server off the same file while the first one runs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT = "1"
COMMIT_EVERY = 0.05  # seconds between background commits of what nobody waits for

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
                                   data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pushes (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
"""

Statement = Callable[[sqlite3.Connection], object]


class StateFileError(Exception):
    """The state file cannot be used: not SQLite, another format, in use, or a failed write."""


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = _connect(path)
        self._cond = threading.Condition()
        self._queue: list[Statement] = []
        self._queued = 0  # tickets handed out
        self._durable = 0  # tickets on disk
        self._writing = False
        self._broken: BaseException | None = None
        self._closed = threading.Event()
        self._committer = threading.Thread(target=self._commit_in_background, name="pns-state", daemon=True)
        self._committer.start()

    # reading (at start-up, before anything is queued)

    def meta(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        rows = self._db.execute("SELECT kind, data FROM events ORDER BY seq").fetchall()
        return [(kind, json.loads(data)) for kind, data in rows]

    def pushes(self) -> list[dict[str, Any]]:
        return [json.loads(data) for (data,) in self._db.execute("SELECT data FROM pushes ORDER BY id")]

    # writing

    def append(self, kind: str, data: dict[str, Any]) -> int:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return self._enqueue(
            lambda db: db.execute("INSERT INTO events (kind, data) VALUES (?, ?)", (kind, text))
        )

    def set_meta(self, key: str, value: Any) -> int:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return self._enqueue(lambda db: db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text)))

    def clear_events(self) -> int:
        return self._enqueue(lambda db: db.execute("DELETE FROM events"))

    def put_push(self, push_id: int, data: dict[str, Any]) -> int:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return self._enqueue(
            lambda db: db.execute("INSERT OR REPLACE INTO pushes VALUES (?, ?)", (push_id, text))
        )

    def drop_push(self, push_id: int) -> int:
        return self._enqueue(lambda db: db.execute("DELETE FROM pushes WHERE id = ?", (push_id,)))

    def drop_pushes(self) -> int:
        return self._enqueue(lambda db: db.execute("DELETE FROM pushes"))

    def _enqueue(self, statement: Statement) -> int:
        with self._cond:
            self._queue.append(statement)
            self._queued += 1
            return self._queued

    def wait(self, ticket: int | None = None) -> None:
        """Return once `ticket` (default: everything queued so far) is on disk."""
        with self._cond:
            target = self._queued if ticket is None else ticket
            while self._durable < target:
                if self._broken is not None:
                    raise StateFileError(f"{self.path}: writing failed: {self._broken}") from self._broken
                if self._writing:
                    self._cond.wait()
                    continue
                batch, self._queue = self._queue, []
                upto = self._queued
                self._writing = True
                self._cond.release()
                try:
                    self._write(batch)
                except (sqlite3.Error, OSError) as exc:  # a full disk, say: nothing more is acknowledged
                    self._broken = exc
                    raise StateFileError(f"{self.path}: writing failed: {exc}") from exc
                finally:
                    self._cond.acquire()
                    self._writing = False
                    self._cond.notify_all()
                self._durable = upto

    def _write(self, batch: list[Statement]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in batch:
                statement(self._db)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _commit_in_background(self) -> None:
        while not self._closed.wait(COMMIT_EVERY):
            if self._durable < self._queued and self._broken is None:
                try:
                    self.wait()
                except StateFileError:
                    return  # the next acknowledged change reports it

    def close(self) -> None:
        """Commit what is queued and close the file (idempotent)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._committer.join()
        try:
            self.wait()
        finally:
            self._db.close()


def _connect(path: Path) -> sqlite3.Connection:
    try:
        if not path.exists():  # it will hold the applications' secrets: private from the start
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        db = sqlite3.connect(path, timeout=0.5, check_same_thread=False, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StateFileError(f"{path}: cannot create or open: {exc}") from exc
    try:
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            db.execute("INSERT INTO meta VALUES ('format', ?)", (json.dumps(FORMAT),))
        elif json.loads(row[0]) != FORMAT:
            raise StateFileError(f"{path}: state format {row[0]}, this pns-mock reads {FORMAT!r}")
    except sqlite3.OperationalError as exc:
        db.close()
        raise StateFileError(f"{path}: cannot open ({exc}); is another pns-mock using it?") from exc
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StateFileError(f"{path}: not a pns-mock state file ({exc})") from exc
    except StateFileError:
        db.close()
        raise
    return db
