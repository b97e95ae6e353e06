"""Errors a user can act on. Each carries one sentence a person understands."""

from __future__ import annotations


class ReviewerError(Exception):
    """Base class: the message is shown to the user as it is, without a traceback."""


class BadAudioError(ReviewerError):
    """The file cannot be used as a call recording (missing, not audio, corrupt, empty, silent)."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ModelError(ReviewerError):
    """A speech model could not be found, assembled or loaded."""


class SettingsError(ReviewerError):
    """A settings, phrases or model file of the user's (or the installation's) cannot be used."""


class CallNotFoundError(ReviewerError):
    """No call in the library matches what the user named."""


class Cancelled(ReviewerError):
    """The user cancelled the work; nothing half-done was kept."""

    def __init__(self) -> None:
        super().__init__("cancelled")
