"""Coaching clips and playlists, and a coach's changes to what a call's redacted audio hides.

A clip is a stretch of one call with a title and a note; a playlist is a named, ordered list of
clips from any calls. Redaction changes are kept by time per call: a span added by hand, or a
found span taken out (a "remove" covering it); the finder's own spans are found again from the
words each time, so a correction of the transcript carries through."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from reviewer.errors import ReviewerError
from reviewer.labels import clock
from reviewer.library.calls import marker_from_row, ms, now
from reviewer.model import Clip, DeletedClip, Marker, Playlist, PlaylistPlace, RedactionEdit

REDACTION_ACTIONS = ("add", "remove")


def check_range(duration: float, start: float, end: float) -> None:
    """Raise ReviewerError with the reason if ``start``-``end`` is not a stretch of the call."""
    if start < 0 or start >= duration:
        raise ReviewerError(f"{clock(start)} is outside the call (0:00–{clock(duration)}).")
    if end <= start:
        raise ReviewerError(f"A range must end after it starts ({clock(start)}–{clock(end)}).")
    if end > duration + 0.001:
        raise ReviewerError(f"{clock(end)} is past the end of the call (it ends at {clock(duration)}).")


class ClipsMixin:
    """Library methods on clips, playlists and redaction changes."""

    db: Database

    # -- clips -------------------------------------------------------------------------------

    def add_clip(
        self,
        call_id: int,
        *,
        start: float,
        end: float,
        title: str,
        note: str = "",
        author: str = "",
        playlist: str | None = None,
    ) -> int:
        """A new clip of ``call_id`` (seconds), put at the end of ``playlist`` (made if new)."""
        row = self.call_row(call_id)
        if not title or not title.strip():
            raise ReviewerError("A clip needs a title.")
        check_range(row.duration, start, end)
        if playlist is not None and not playlist.strip():
            raise ReviewerError("A playlist needs a name.")
        with self.write() as db:
            clip_id = int(
                db["clips"]
                .insert(
                    {
                        "call_id": call_id,
                        "start_ms": ms(start),
                        "end_ms": ms(end),
                        "title": title.strip(),
                        "note": (note or "").strip(),
                        "author": author,
                        "created_at": now(),
                    }
                )
                .last_pk
            )
            if playlist is not None:
                self.add_to_playlist(playlist, clip_id)
        return clip_id

    def update_clip(self, clip_id: int, *, start: float, end: float, title: str, note: str = "") -> Clip:
        """Give a clip a new range, title and note (seconds); returns the clip as it was, for
        undo. Its playlists keep it where it was."""
        was = self.clip(clip_id)
        if not title or not title.strip():
            raise ReviewerError("A clip needs a title.")
        check_range(self.call_row(was.call_id).duration, start, end)
        with self.write() as db:
            db["clips"].update(
                clip_id,
                {
                    "start_ms": ms(start),
                    "end_ms": ms(end),
                    "title": title.strip(),
                    "note": (note or "").strip(),
                },
            )
        return was

    def marker_at(self, call_id: int, at: float) -> Marker:
        """The marker (refusal, monologue, silence, overtalk) covering ``at``, for a clip of it."""
        rows = list(
            self.db.query(
                "SELECT * FROM markers WHERE call_id = ? AND start_ms <= ? AND end_ms >= ? "
                "ORDER BY end_ms - start_ms LIMIT 1",
                [call_id, ms(at) + 500, ms(at) - 500],
            )
        )
        if not rows:
            raise ReviewerError(f"No marker at {clock(at)}; `reviewer show` lists the call's markers.")
        return marker_from_row(rows[0])

    def clip(self, clip_id: int) -> Clip:
        rows = list(
            self.db.query(
                "SELECT clips.*, calls.name AS call_name, calls.path AS call_path "
                "FROM clips JOIN calls ON calls.id = clips.call_id WHERE clips.id = ?",
                [clip_id],
            )
        )
        if not rows:
            raise ReviewerError(f"No clip #{clip_id}.")
        return self._located([_clip(rows[0])])[0]

    def clips(self, call_id: int | None = None) -> list[Clip]:
        where, params = ("WHERE clips.call_id = ?", [call_id]) if call_id is not None else ("", [])
        rows = self.db.query(
            "SELECT clips.*, calls.name AS call_name, calls.path AS call_path FROM clips "
            f"JOIN calls ON calls.id = clips.call_id {where} ORDER BY clips.call_id, start_ms, clips.id",
            params,
        )
        return self._located([_clip(r) for r in rows])

    def _located(self, clips: list[Clip]) -> list[Clip]:
        """Clips with their recordings where this machine finds them: under the team's audio
        root (read once for the lot) when the library keeps the audio there."""
        relative = any(c.call_path and not Path(c.call_path).is_absolute() for c in clips)
        root = self.audio_root() if relative else None  # type: ignore[attr-defined]
        if root is None:
            return clips
        return [
            replace(c, call_path=str(root / c.call_path))
            if c.call_path and not Path(c.call_path).is_absolute()
            else c
            for c in clips
        ]

    def delete_clip(self, clip_id: int) -> DeletedClip:
        """Delete a clip (from every playlist too); returns it with its playlists, for undo."""
        current = self.clip(clip_id)
        places = tuple(
            PlaylistPlace(int(r["playlist_id"]), int(r["position"]))
            for r in self.db.query(
                "SELECT playlist_id, position FROM playlist_clips WHERE clip_id = ?", [clip_id]
            )
        )
        with self.write() as db:
            db.execute("DELETE FROM playlist_clips WHERE clip_id = ?", [clip_id])
            db["clips"].delete(clip_id)
        return DeletedClip(current, places)

    def restore_clip(self, deleted: DeletedClip) -> int:
        clip = deleted.clip
        row: dict[str, Any] = {
            "call_id": clip.call_id,
            "start_ms": clip.start_ms,
            "end_ms": clip.end_ms,
            "title": clip.title,
            "note": clip.note,
            "author": clip.author,
            "created_at": clip.created_at,
        }
        with self.write() as db:
            if not db.execute("SELECT 1 FROM clips WHERE id = ?", [clip.id]).fetchone():
                row["id"] = clip.id
            clip_id = int(db["clips"].insert(row).last_pk)
            for p in deleted.playlists:
                db["playlist_clips"].insert(
                    {"playlist_id": p.playlist_id, "position": p.position, "clip_id": clip_id}
                )
        return clip_id

    # -- playlists ---------------------------------------------------------------------------

    def playlists(self) -> list[Playlist]:
        """Every playlist with how many clips it holds and how long they play (seconds)."""
        return [
            Playlist(int(r["id"]), r["name"], r["created_at"], int(r["clips"]), (r["ms"] or 0) / 1000)
            for r in self.db.query(
                "SELECT playlists.id, playlists.name, playlists.created_at, COUNT(clips.id) AS clips, "
                "SUM(clips.end_ms - clips.start_ms) AS ms FROM playlists "
                "LEFT JOIN playlist_clips pc ON pc.playlist_id = playlists.id "
                "LEFT JOIN clips ON clips.id = pc.clip_id GROUP BY playlists.id ORDER BY playlists.name"
            )
        ]

    def playlist_id(self, name: str, *, create: bool = False) -> int:
        name = (name or "").strip()
        if not name:
            raise ReviewerError("A playlist needs a name.")
        row = self.db.execute("SELECT id FROM playlists WHERE name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        if not create:
            known = ", ".join(p.name for p in self.playlists()) or "none yet"
            raise ReviewerError(f"No playlist named {name!r} (playlists: {known}).")
        with self.write() as db:
            return int(db["playlists"].insert({"name": name, "created_at": now()}).last_pk)

    def add_to_playlist(self, name: str, clip_id: int) -> None:
        with self.write() as db:
            playlist_id = self.playlist_id(name, create=True)
            last = db.execute(
                "SELECT MAX(position) FROM playlist_clips WHERE playlist_id = ?", [playlist_id]
            ).fetchone()[0]
            db["playlist_clips"].insert(
                {"playlist_id": playlist_id, "clip_id": clip_id, "position": (last or 0) + 1}
            )

    def remove_from_playlist(self, name: str, clip_id: int) -> None:
        playlist_id = self.playlist_id(name)
        with self.write() as db:
            db.execute(
                "DELETE FROM playlist_clips WHERE playlist_id = ? AND clip_id = ?", [playlist_id, clip_id]
            )

    def move_in_playlist(self, name: str, clip_id: int, to: int) -> int:
        """Put the clip at place ``to`` (0 the first) of the playlist, the others keeping their
        order; a place past the end is the last. Returns where it was (for undo: move it back)."""
        playlist_id = self.playlist_id(name)
        with self.write() as db:
            rows = db.execute(
                "SELECT id, clip_id FROM playlist_clips WHERE playlist_id = ? ORDER BY position, id",
                [playlist_id],
            ).fetchall()
            ids = [int(c) for _, c in rows]
            if clip_id not in ids:
                raise ReviewerError(f"Clip #{clip_id} is not in the playlist {name!r}.")
            was = ids.index(clip_id)
            order = list(rows)
            moved = order.pop(was)
            order.insert(max(0, min(int(to), len(order))), moved)
            db.executemany(
                "UPDATE playlist_clips SET position = ? WHERE id = ?",
                [(n, int(row_id)) for n, (row_id, _) in enumerate(order, 1)],
            )
        return was

    def delete_playlist(self, name: str) -> None:
        """The playlist goes; its clips stay (they may be in other playlists)."""
        playlist_id = self.playlist_id(name)
        with self.write() as db:
            db.execute("DELETE FROM playlist_clips WHERE playlist_id = ?", [playlist_id])
            db["playlists"].delete(playlist_id)

    def playlist_clips(self, name: str) -> list[Clip]:
        """The playlist's clips in order, each with its call's name and recording."""
        playlist_id = self.playlist_id(name)
        rows = self.db.query(
            "SELECT clips.*, calls.name AS call_name, calls.path AS call_path, pc.position "
            "FROM playlist_clips pc JOIN clips ON clips.id = pc.clip_id "
            "JOIN calls ON calls.id = clips.call_id WHERE pc.playlist_id = ? ORDER BY pc.position, pc.id",
            [playlist_id],
        )
        return self._located([_clip(r) for r in rows])

    # -- redaction changes -------------------------------------------------------------------

    def redaction_edits(self, call_id: int) -> list[RedactionEdit]:
        return [
            _edit(r)
            for r in self.db.query(
                "SELECT * FROM redaction_edits WHERE call_id = ? ORDER BY start_ms, id", [call_id]
            )
        ]

    def add_redaction_edit(self, call_id: int, start: float, end: float, action: str) -> int:
        """Hide ``start``-``end`` too ("add"), or stop hiding the found spans it covers ("remove")."""
        if action not in REDACTION_ACTIONS:
            raise ReviewerError(f"Unknown redaction change {action!r}: use add or remove.")
        row = self.call_row(call_id)
        check_range(row.duration, start, end)
        with self.write() as db:
            return int(
                db["redaction_edits"]
                .insert(
                    {
                        "call_id": call_id,
                        "start_ms": ms(start),
                        "end_ms": ms(end),
                        "action": action,
                        "created_at": now(),
                    }
                )
                .last_pk
            )

    def delete_redaction_edit(self, edit_id: int) -> RedactionEdit:
        rows = list(self.db.query("SELECT * FROM redaction_edits WHERE id = ?", [edit_id]))
        if not rows:
            raise ReviewerError(f"No redaction change #{edit_id}.")
        with self.write() as db:
            db["redaction_edits"].delete(edit_id)
        return _edit(rows[0])

    def restore_redaction_edit(self, edit: RedactionEdit) -> int:
        row: dict[str, Any] = {
            "call_id": edit.call_id,
            "start_ms": edit.start_ms,
            "end_ms": edit.end_ms,
            "action": edit.action,
            "created_at": edit.created_at,
        }
        with self.write() as db:
            if not db.execute("SELECT 1 FROM redaction_edits WHERE id = ?", [edit.id]).fetchone():
                row["id"] = edit.id
            return int(db["redaction_edits"].insert(row).last_pk)


def _edit(r: dict[str, Any]) -> RedactionEdit:
    return RedactionEdit(
        int(r["id"]), int(r["call_id"]), int(r["start_ms"]), int(r["end_ms"]), r["action"], r["created_at"]
    )


def _clip(r: dict[str, Any]) -> Clip:
    return Clip(
        id=int(r["id"]),
        call_id=int(r["call_id"]),
        start_ms=int(r["start_ms"]),
        end_ms=int(r["end_ms"]),
        title=r["title"],
        note=r["note"] or "",
        author=r["author"],
        created_at=r["created_at"],
        call_name=r["call_name"],
        call_path=r["call_path"],
        position=r.get("position"),
    )
