"""The application's operations: each named thing a coach or QA lead does to the library (store a
call with everything derived from it, correct who said what, label a refusal, change a tracker),
written once, as ``operation(library, arguments…, settings) -> typed result``. The command line and
the app call these; the library below only stores and loads, and knows nothing of analysis."""

from reviewer.actions import calls, corrections, edits, exports, library, review, scores, trackers

__all__ = ["calls", "corrections", "edits", "exports", "library", "review", "scores", "trackers"]
