"""The dashboard of the review log (issue #11): questions per day and channel, the top
procedures and aspects, the share not understood, 👍/👎 per procedure, handovers and how long
citizens waited for an officer's first reply, and what was asked in vain per day and kind.
Server-rendered SVG charts (staff/charts.py, nothing from a CDN) above tables of the same
figures; every table can be downloaded as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import Response

from actions import review_log
from actions.aspects import BY_INTENT
from staff import charts
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


def _days(first: str, last: str) -> list:
    """Every day from first to last, so a quiet day shows as an empty column, not a gap."""
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [(start + dt.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _label(day: str) -> str:
    return f"{day[8:10]}/{day[5:7]}"


def procedure_names(request: Request) -> dict:
    """Procedure id -> its short name in the published catalog (the id when unknown)."""
    try:
        published = request.app.state.console.published()
    except StaffError:
        return {}
    names = {}
    for (kind, item_id), item in published.items():
        record = item.get("record") or {}
        if kind == "procedure":
            names[item_id] = str(record.get("ten_ngan") or record.get("ten") or item_id)
    return names


def aspect_name(intent: str) -> str:
    aspect = BY_INTENT.get(intent)
    return aspect.title if aspect else intent


def chart_svgs(data: dict, names: dict) -> dict:
    """The dashboard's charts as SVG strings, from the figures of /api/stats."""
    found = sorted({r["day"] for r in data["questions_per_day"]})
    days = _days(found[0], found[-1]) if found else []
    channels = sorted({r["channel"] for r in data["questions_per_day"]})
    counts = {(r["day"], r["channel"]): r["count"] for r in data["questions_per_day"]}
    shares = {r["day"]: r["share_not_understood"] for r in data["understanding"]}
    handovers = data["handovers"]
    return {
        "questions": charts.stacked_columns(
            "Câu hỏi mỗi ngày theo kênh", days,
            {c: [counts.get((d, c), 0) for d in days] for c in channels},
            [_label(d) for d in days]),
        "procedures": charts.bars("Thủ tục được hỏi nhiều nhất", [
            (names.get(r["procedure"], r["procedure"]), r["count"])
            for r in data["top_procedures"]]),
        "aspects": charts.bars("Nội dung được hỏi nhiều nhất", [
            (aspect_name(r["aspect"]), r["count"]) for r in data["top_aspects"]],
            color=charts.PALETTE[1]),
        "not_understood": charts.share_columns(
            "Tỉ lệ câu hỏi trợ lý không hiểu, theo ngày",
            [(_label(d), shares.get(d)) for d in days]),
        "ratings": charts.up_down("Đánh giá 👍/👎 theo thủ tục", [
            (names.get(r["procedure"], r["procedure"] or "(không rõ)"), r["up"], r["down"])
            for r in data["ratings"]]),
        "handovers": charts.bars(
            "Thời gian chờ câu trả lời đầu tiên của cán bộ",
            [(b["label"], b["count"]) for b in handovers["buckets"]] if handovers["count"]
            else [], color=charts.PALETTE[2]),
    }


@router.get("/dashboard")
def dashboard_page(request: Request):
    principal = _principal(request)
    start, end = request.query_params.get("from") or "", request.query_params.get("to") or ""
    data = figures(start, end)
    days = sorted({r["day"] for r in data["per_day"]})
    table = {(r["day"], r["kind"]): r["count"] for r in data["per_day"]}
    names = procedure_names(request)
    return render(request, "dashboard.html", principal=principal, data=data, days=days,
                  table=table, kinds=review_log.KINDS, start=start, end=end,
                  charts=chart_svgs(data, names), names=names, aspect_name=aspect_name,
                  tables=CSV_TABLES)


def _csv_rows(data: dict, table: str) -> tuple:
    """(header, rows) of one of the dashboard's tables."""
    if table == "per_day":
        return ["day", "kind", "count"], [[r["day"], r["kind"], r["count"]]
                                          for r in data["per_day"]]
    if table == "questions":
        return ["day", "channel", "count"], [[r["day"], r["channel"], r["count"]]
                                             for r in data["questions_per_day"]]
    if table == "understanding":
        return (["day", "questions", "not_understood", "out_of_scope", "share_not_understood"],
                [[r["day"], r["questions"], r["not_understood"], r["out_of_scope"],
                  r["share_not_understood"]] for r in data["understanding"]])
    if table == "procedures":
        return ["procedure", "count"], [[r["procedure"], r["count"]]
                                        for r in data["top_procedures"]]
    if table == "aspects":
        return ["aspect", "count"], [[r["aspect"], r["count"]] for r in data["top_aspects"]]
    if table == "ratings":
        return ["procedure", "up", "down", "share_up"], [
            [r["procedure"], r["up"], r["down"], r["share_up"]] for r in data["ratings"]]
    return ["id", "time", "status", "first_reply", "minutes"], [
        [r["id"], r["time"], r["status"], r["first_reply"] or "", r["minutes"] or ""]
        for r in data["handovers"]["items"]]


# ?table= of /dashboard.csv; per_day (the default) is the first export's table, unchanged.
CSV_TABLES = {"per_day": "Theo ngày và loại", "questions": "Câu hỏi theo ngày và kênh",
              "understanding": "Tỉ lệ không hiểu theo ngày", "procedures": "Thủ tục hỏi nhiều",
              "aspects": "Nội dung hỏi nhiều", "ratings": "Đánh giá theo thủ tục",
              "handovers": "Chuyển cán bộ và thời gian trả lời"}


@router.get("/dashboard.csv")
def dashboard_csv(request: Request):
    _principal(request)
    table = request.query_params.get("table") or "per_day"
    if table not in CSV_TABLES:
        raise StaffError(400, f"Bảng không hợp lệ; chọn một trong: {', '.join(CSV_TABLES)}.")
    data = figures(request.query_params.get("from"), request.query_params.get("to"))
    header, rows = _csv_rows(data, table)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    name = "hop-thu-theo-ngay" if table == "per_day" else f"thong-ke-{table}"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
