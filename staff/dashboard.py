"""A first dashboard of the review log (issue #11): what citizens asked in vain per day and
kind, per channel, and the 👍/👎 count per procedure. Server-rendered tables and a CSV export;
charts are left for later (no CDN is allowed, so they would need a locally served library)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import Response

from actions import review_log
from staff.errors import StaffError
from staff.inbox import _call
from staff.pages import _principal, render

router = APIRouter()


def _date(value: Optional[str], name: str) -> Optional[str]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise StaffError(400, f"Ngày không hợp lệ ({name}): dùng dạng YYYY-MM-DD.") from None


def figures(start: Optional[str], end: Optional[str]) -> dict:
    return _call(review_log.stats, _date(start, "from"), _date(end, "to"))


@router.get("/api/stats")
def api_stats(request: Request):
    from staff.api import principal_of

    principal_of(request, "editor")
    return figures(request.query_params.get("from"), request.query_params.get("to"))


@router.get("/dashboard")
def dashboard_page(request: Request):
    principal = _principal(request)
    start, end = request.query_params.get("from") or "", request.query_params.get("to") or ""
    data = figures(start, end)
    days = sorted({r["day"] for r in data["per_day"]})
    table = {(r["day"], r["kind"]): r["count"] for r in data["per_day"]}
    return render(request, "dashboard.html", principal=principal, data=data, days=days,
                  table=table, kinds=review_log.KINDS, start=start, end=end)


@router.get("/dashboard.csv")
def dashboard_csv(request: Request):
    _principal(request)
    data = figures(request.query_params.get("from"), request.query_params.get("to"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "kind", "count"])
    for row in data["per_day"]:
        writer.writerow([row["day"], row["kind"], row["count"]])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="hop-thu-theo-ngay.csv"'})
