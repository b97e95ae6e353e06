"""Reviewer: review and coach customer-service phone calls, offline."""

__version__ = "0.1.0"

# Before any dependency loads: their telemetry off, their caches in Reviewer's folder.
from reviewer.privacy import keep_private  # noqa: E402

keep_private()
