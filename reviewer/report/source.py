"""What a report reads from the library, declared here so that reports depend on this protocol and
not on the storage behind it (SQLite or PostgreSQL, ``reviewer.library.Library`` implements it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from reviewer.analysis.scoring import Scorecard
    from reviewer.model import CallScore, StoredCall


class CallSource(Protocol):
    """The reads a report makes: a call, its row and recording, comments, score, clips, redactions."""

    def load_call(self, call_id: int) -> StoredCall: ...

    def call_row(self, call_id: int) -> dict[str, Any]: ...

    def audio_path(self, row: dict[str, Any]) -> Path: ...

    def comments(self, call_id: int) -> list[dict[str, Any]]: ...

    def scorecards(self) -> list[dict[str, Any]]: ...

    def scorecard(self, name: str | None = None, version: int | None = None) -> Scorecard: ...

    def score(self, call_id: int) -> CallScore | None: ...

    def playlist_clips(self, name: str) -> list[dict[str, Any]]: ...

    def redaction_edits(self, call_id: int) -> list[Any]: ...
