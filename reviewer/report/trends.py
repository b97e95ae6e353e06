"""The trends of the team and of one agent as CSV: one row per period and group, every metric
:meth:`Library.trends` gives (scores too, once scorecards add them), empty where a period has no
value. UTF-8 with a byte-order mark, as Reviewer's other CSVs, so spreadsheets read names right."""

from __future__ import annotations

import csv
import io
from typing import Any


def trends_csv(
    team: list[dict[str, Any]], agent_rows: list[dict[str, Any]] | None = None, agent: str = ""
) -> bytes:
    """``team``'s rows (group "team"), then ``agent_rows`` (group "agent", the agent named in
    the agent column), with the metrics in the order the library gives them."""
    groups = [("team", "", team)] + ([("agent", agent, agent_rows)] if agent_rows is not None else [])
    keys: list[str] = []
    for _, _, rows in groups:
        for row in rows:
            keys += [k for k in row if k not in keys]
    columns = ["group", "agent", *keys]
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for group, name, rows in groups:
        for row in rows:
            writer.writerow(
                {"group": group, "agent": name, **{k: "" if v is None else v for k, v in row.items()}}
            )
    return buf.getvalue().encode("utf-8-sig")
