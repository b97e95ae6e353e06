"""Exports for people who never open Reviewer: annotated reports (PDF, HTML) and data (CSV, JSON,
SRT, VTT, and a one-row-per-call summary CSV). No Qt here: the CLI and the app share it."""

from reviewer.report.export import FORMATS, ExportPlan, export_calls, plan_exports, write_atomic

__all__ = ["FORMATS", "ExportPlan", "export_calls", "plan_exports", "write_atomic"]
