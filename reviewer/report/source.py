"""What a report reads from the library, declared here so that reports depend on this protocol and
not on the storage behind it (SQLite or PostgreSQL, ``reviewer.library.Library`` implements it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reviewer.analysis.scoring import Scorecard
    from reviewer.model import CallRow, CallScore, CallSummary, Clip, Comment, RedactionEdit, StoredCall


class CallSource(Protocol):
    """The reads a report makes: a call, its row and recording, comments, score, clips, redactions."""

    def load_call(self, call_id: int) -> StoredCall: ...

    def call_row(self, call_id: int) -> CallRow: ...

    def audio_path(self, row: CallRow | CallSummary) -> Path: ...

    def comments(self, call_id: int) -> list[Comment]: ...

    def call_score(self, call_id: int) -> tuple[CallScore, Scorecard] | None:
        """The call's score on the default card and that card's version; None without cards
        (the application scores: ``reviewer.actions.exports`` gives a report a source that does)."""

    def playlist_clips(self, name: str) -> list[Clip]: ...

    def redaction_edits(self, call_id: int) -> list[RedactionEdit]: ...

    def recording_paths(self) -> list[Path]:
        """Every call's recording where this machine finds it: no export may write over one."""
        ...

    def audio_root(self) -> Path | None:
        """The team's audio folder, if the library keeps its audio in one: exports never go there."""
        ...
