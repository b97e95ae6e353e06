"""Reviewer: review and coach customer-service phone calls, offline."""

__version__ = "0.1.0"
