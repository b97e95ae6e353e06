"""Exports for people who never open Reviewer: annotated reports (PDF, HTML) and data (CSV, JSON,
SRT, VTT, and a one-row-per-call summary CSV). No Qt here: the CLI and the app share it.

The names below load their module when first used, so that reading the format registry
(:mod:`reviewer.report.formats`, for `reviewer --help`) does not load the library and its
database drivers."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewer.report.export import ExportPlan, export_calls, plan_exports, write_atomic
    from reviewer.report.formats import FORMATS, ExportFormat

_HOMES = {
    "FORMATS": "reviewer.report.formats",
    "ExportFormat": "reviewer.report.formats",
    "ExportPlan": "reviewer.report.export",
    "export_calls": "reviewer.report.export",
    "plan_exports": "reviewer.report.export",
    "write_atomic": "reviewer.report.export",
}

__all__ = ["FORMATS", "ExportFormat", "ExportPlan", "export_calls", "plan_exports", "write_atomic"]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whichever of the names above
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
