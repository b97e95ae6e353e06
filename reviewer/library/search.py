"""Searching the library: transcript turns matching words, the calls saying them, and the
calls QA picks by reference, words, agent and review status."""

from __future__ import annotations

import re

from sqlite_utils import Database

from reviewer.errors import ReviewerError
from reviewer.library.backend import TEXT_SEARCH_CONFIG
from reviewer.library.calls import REVIEW_STATUSES
from reviewer.model import SearchHit


class SearchMixin:
    """Library methods that search and select calls."""

    db: Database

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Transcript turns matching ``text`` (all its words, stemmed), best first, each with a
        ``snippet``: the turn with the matching words in [brackets]."""
        query = _query(text, self.db.dialect)
        if not query:
            return []
        role = "(SELECT role FROM speakers s WHERE s.call_id = t.call_id AND s.label = t.speaker) AS role"
        if self.db.dialect == "postgresql":
            sql = f"""
                SELECT t.call_id, c.name, t.speaker, t.start_ms, t.end_ms, t.text, {role},
                       ts_headline('{TEXT_SEARCH_CONFIG}', t.text, q,
                                   'StartSel=[, StopSel=], HighlightAll=true') AS snippet
                FROM turns t JOIN calls c ON c.id = t.call_id,
                     plainto_tsquery('{TEXT_SEARCH_CONFIG}', ?) q
                WHERE t.search @@ q ORDER BY ts_rank(t.search, q) DESC, t.call_id, t.start_ms LIMIT ?"""
        else:
            sql = f"""
                SELECT t.call_id, c.name, t.speaker, t.start_ms, t.end_ms, t.text, {role},
                       highlight(turns_fts, 0, '[', ']') AS snippet
                FROM turns_fts f JOIN turns t ON t.rowid = f.rowid JOIN calls c ON c.id = t.call_id
                WHERE turns_fts MATCH ? ORDER BY f.rank, t.call_id, t.start_ms LIMIT ?"""
        return [SearchHit(**r) for r in self.db.query(sql, [query, limit])]

    def calls_saying(self, text: str) -> list[int]:
        """Every call whose transcript matches ``text`` (as :meth:`search`), most recent first."""
        query = _query(text, self.db.dialect)
        if not query:
            return []
        if self.db.dialect == "postgresql":
            sql = f"""
                SELECT c.id FROM calls c WHERE EXISTS (
                    SELECT 1 FROM turns t WHERE t.call_id = c.id
                    AND t.search @@ plainto_tsquery('{TEXT_SEARCH_CONFIG}', ?))
                ORDER BY c.imported_at DESC, c.id DESC"""
        else:
            sql = """
                SELECT DISTINCT t.call_id FROM turns_fts f JOIN turns t ON t.rowid = f.rowid
                JOIN calls c ON c.id = t.call_id WHERE turns_fts MATCH ?
                ORDER BY c.imported_at DESC, c.id DESC"""
        return [int(r[0]) for r in self.db.execute(sql, [query]).fetchall()]

    def select_calls(
        self,
        refs: list[str] | None = None,
        *,
        search: str | None = None,
        agent: str | None = None,
        status: str | None = None,
    ) -> list[int]:
        """Calls by reference (see :meth:`resolve`), or all calls, narrowed by a transcript search,
        the agent's name and the review status: how QA picks a week of calls to export."""
        rows = self.list_calls(brief=True)
        ids = [self.resolve(r) for r in refs] if refs else [int(r.id) for r in rows]
        if search:
            saying = set(self.calls_saying(search))
            ids = [i for i in ids if i in saying]
        if agent:
            by_agent = {int(r.id) for r in rows if (r.agent or "").casefold() == agent.casefold()}
            ids = [i for i in ids if i in by_agent]
        if status:
            if status not in REVIEW_STATUSES:
                raise ReviewerError(
                    f"Unknown review status {status!r}: use one of {', '.join(REVIEW_STATUSES)}."
                )
            with_status = {int(r.id) for r in rows if r.review_status == status}
            ids = [i for i in ids if i in with_status]
        return list(dict.fromkeys(ids))


def _query(text: str, dialect: str) -> str:
    """The words of ``text`` as a query that needs all of them, the same on both databases: FTS5's
    quoted terms, or words for plainto_tsquery (which ANDs them and reads no operators: "or",
    "-" and quotes are words or nothing there, as in FTS5 once quoted). Both stem and keep every
    word (the PostgreSQL configuration has no stop words, as FTS5 has none)."""
    terms = re.findall(r"\w+", text.lower())
    if dialect == "postgresql":
        return " ".join(terms)
    return " ".join(f'"{t}"' for t in terms)
