"""One library, several apps: who changed a call last and when, edits refused when they were made
on a copy someone has changed since, the serial apps watch to refresh, and the library's own
settings (the team's audio folder, so a call imported on one machine plays on another)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from reviewer.errors import ReviewerError
from reviewer.library.backend import ConflictError
from reviewer.library.calls import now
from reviewer.model import CallRow, CallSummary

AUDIO_ROOT = "audio_root"


def put_library_setting(db: Any, key: str, value: str | None) -> None:
    """Inside a write transaction: set one library setting (None removes it)."""
    db.execute("DELETE FROM library_settings WHERE key = ?", [key])
    if value is not None:
        db.execute("INSERT INTO library_settings (key, value) VALUES (?, ?)", [key, value])


class SharedMixin:
    """Library methods for sharing it: versions, the change serial, library settings."""

    db: Any
    user: str
    _seen: dict[int, int]

    # -- versions ------------------------------------------------------------------------------

    def change_serial(self) -> int:
        """A number every committed write moves on: an app polls it and refreshes when it moved."""
        row = self.db.execute("SELECT serial FROM library_state WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def call_version(self, call_id: int) -> int:
        row = self.db.execute("SELECT version FROM calls WHERE id = ?", [call_id]).fetchone()
        if row is None:
            raise ReviewerError(f"Call #{call_id} is no longer in the library (someone removed it).")
        return int(row[0])

    def seen(self, call_id: int, version: int) -> None:
        """This app now shows ``call_id`` as of ``version`` (the review page says so on loading
        it): a change it makes to the call later is refused if the call moved on meanwhile."""
        self._seen[call_id] = version

    def touch_call(self, call_id: int) -> int:
        """Inside a write transaction that changes what a call says (roles, who said what, scores,
        review status): refuse the change if someone else changed the call since this app loaded
        it, else move its version on and sign it. Returns the new version."""
        row = self.db.execute(
            "SELECT version, changed_by, changed_at FROM calls WHERE id = ?", [call_id]
        ).fetchone()
        if row is None:
            raise ReviewerError(f"Call #{call_id} is no longer in the library (someone removed it).")
        version, by, at = row
        seen = self._seen.get(call_id)
        if seen is not None and seen != version:
            raise ConflictError(
                f"{_who(by)} changed call #{call_id} meanwhile ({_when(at)}); your change was not made. "
                "The call is reloaded as it is now: make your change again if it still stands."
            )
        self.db.execute(
            "UPDATE calls SET version = ?, changed_by = ?, changed_at = ? WHERE id = ?",
            [version + 1, self.user, now(), call_id],
        )
        if seen is not None:
            self._seen[call_id] = version + 1
        return version + 1

    def check_comment_version(self, comment_id: int, expected: int | None) -> int:
        """Inside a write transaction: the comment's version, after checking it is still the one
        this edit was made on (``expected``; None: no check, only that the comment is there)."""
        row = self.db.execute(
            "SELECT version, changed_by FROM comments WHERE id = ?", [comment_id]
        ).fetchone()
        if row is None and expected is None:
            raise ReviewerError(f"No comment #{comment_id}.")
        if row is None:
            raise ConflictError(f"Comment #{comment_id} was deleted by someone else meanwhile.")
        if expected is not None and int(row[0]) != expected:
            raise ConflictError(
                f"{_who(row[1])} changed comment #{comment_id} meanwhile; your change was not made. "
                "The comments are reloaded as they are now: make your change again if it still stands."
            )
        return int(row[0])

    # -- the library's settings ------------------------------------------------------------------

    def library_setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM library_settings WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_library_setting(self, key: str, value: str | None) -> None:
        with self.write() as db:  # type: ignore[attr-defined]
            put_library_setting(db, key, value)

    def audio_root(self) -> Path | None:
        """Where the team keeps the library's audio: this machine's ``[library] audio_root``
        (where the share is mounted here) over the library's own."""
        from reviewer.locations import audio_root_setting

        local = audio_root_setting()
        if local is not None:
            return local
        value = self.library_setting(AUDIO_ROOT)
        return Path(value) if value else None

    def set_audio_root(self, folder: Path | None) -> None:
        """Keep every call's audio under ``folder`` from now on (None: where it was imported from)."""
        if folder is not None:
            folder = Path(folder).expanduser().resolve()
            if not folder.is_dir():
                raise ReviewerError(f"{folder} is not a folder: mount the team's share first.")
            if not os.access(folder, os.W_OK):
                raise ReviewerError(f"{folder} cannot be written by you: imports could not keep audio there.")
        self.set_library_setting(AUDIO_ROOT, str(folder) if folder else None)

    def stored_audio_path(self, path: Path, digest: str) -> str:
        """What a call's ``path`` column keeps: with an audio root, the file's place under it
        (relative, so another machine finds it where it mounts the share), copying it there first
        when it lies elsewhere; without one, the absolute path on this machine."""
        root = self.audio_root()
        path = path.resolve()
        if root is None:
            return str(path)
        root = root.resolve()
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
        relative = Path(digest[:2]) / f"{digest}{path.suffix.lower()}"
        target = root / relative
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Whole or not at all: a copy cut short never sits under the final name.
            fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".importing-")
            os.close(fd)
            try:
                shutil.copyfile(path, partial)
                os.replace(partial, target)
            except BaseException:
                Path(partial).unlink(missing_ok=True)
                raise
        return relative.as_posix()

    def audio_path(self, row: CallRow | CallSummary) -> Path:
        """Where this machine finds a call's recording (its ``path``, under the audio root when
        the library keeps it there)."""
        stored = Path(row.path or "")
        if stored.is_absolute() or not str(row.path or ""):
            return stored
        root = self.audio_root()
        return (root / stored) if root is not None else stored


def _who(user: str | None) -> str:
    return user or "Someone else"


def _when(stamp: str | None) -> str:
    return f"at {stamp.replace('T', ' ')[:16]} UTC" if stamp else "just now"
