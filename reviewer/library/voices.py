"""Agents' voice profiles (biometric data): whether the library keeps them at all, and the samples
of each agent's voice, one row per call or stretch a profile was made from. Kept only here, in the
library; no export reads this table. What a profile is and how it matches a voice is the
application's (``reviewer.actions.voices``, ``reviewer.speakers.profiles``)."""

from __future__ import annotations

import json
from typing import Any

from reviewer.library.calls import now
from reviewer.library.shared import put_library_setting
from reviewer.model import VoiceSample

VOICE_PROFILES = "voice_profiles"  # the library setting: "on" while a coach has turned them on


class VoicesMixin:
    db: Any

    def voice_profiles_on(self) -> bool:
        return self.library_setting(VOICE_PROFILES) == "on"  # type: ignore[attr-defined]

    def set_voice_profiles_on(self, on: bool) -> None:
        """Inside a write transaction: voice profiles on (kept and used) or off for the library."""
        put_library_setting(self.db, VOICE_PROFILES, "on" if on else None)

    def voice_samples(self, name: str | None = None) -> list[VoiceSample]:
        """Every sample of every agent's voice (or of ``name``'s), oldest first."""
        sql = "SELECT * FROM voice_samples" + (" WHERE name = ?" if name is not None else "") + " ORDER BY id"
        return [
            VoiceSample(
                int(r["id"]),
                r["name"],
                tuple(json.loads(r["embedding"])),
                int(r["windows"] or 0),
                float(r["seconds"] or 0.0),
                r["call_id"],
                r["source"] or "",
                r["created_at"] or "",
            )
            for r in self.db.query(sql, [name] if name is not None else [])
        ]

    def add_voice_sample(
        self,
        name: str,
        embedding: tuple[float, ...],
        *,
        windows: int,
        seconds: float,
        call_id: int | None,
        source: str,
    ) -> int:
        """Inside a write transaction: one more sample of ``name``'s voice. Returns its id."""
        row = {
            "name": name,
            "embedding": json.dumps([round(float(x), 6) for x in embedding]),
            "windows": windows,
            "seconds": round(seconds, 2),
            "call_id": call_id,
            "source": source,
            "created_at": now(),
        }
        return int(self.db["voice_samples"].insert(row).last_pk)

    def remove_voice_samples(self, name: str | None = None) -> int:
        """Inside a write transaction: ``name``'s samples (every agent's with None) deleted.
        Returns how many were deleted."""
        where, params = (" WHERE name = ?", [name]) if name is not None else ("", [])
        count = self.db.execute(f"SELECT count(*) FROM voice_samples{where}", params).fetchone()[0]
        self.db.execute(f"DELETE FROM voice_samples{where}", params)
        return int(count)
