"""The console's booking page ``/manage/booking?day=``: each bookable service's slots with
their bookings, check-ins and no-shows (``booking.day``), and the manager's two forms, close
slots and add or reopen a slot, sent as console actions (``booking.close_slots`` /
``booking.open_slots`` with ``by`` = the manager, web/console.py)."""

from __future__ import annotations

import datetime as dt
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web import errors, pages
from web import strings as S
from web.consolepages import _topbar
from web.pages import boot_json, esc, shell
from wire.client import HubUnreachable
from wire.contract import HubError

K = S.BOOK_CONSOLE
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


async def page(console, request: Request) -> Response:
    s = console.session(request)
    if s is None:
        return RedirectResponse("/manage/login", 303)
    day = request.query_params.get("day") or console.clock.now().date().isoformat()
    try:
        if not DAY_RE.fullmatch(day):
            raise ValueError(day)
        dt.date.fromisoformat(day)
    except ValueError:
        return pages.error(S.BAD_FORM, 400)
    try:
        answer = await console.link.request("booking.day", {"day": day})
    except (HubError, HubUnreachable) as exc:
        answer, problem = {"services": []}, errors.message(exc)
    else:
        problem = ""
    return HTMLResponse(render(console.cfg, s, day, answer, problem), headers=pages.NO_STORE)


def totals(service: dict) -> dict:
    """The day's counts of a service and its 签到率 / 爽约率 (of the bookings still held or
    already decided: booked includes the checked-in ones, cancelled ones count for neither)."""
    slots = service.get("slots", [])
    t = {k: sum(x.get(k, 0) for x in slots) for k in ("booked", "checked_in", "no_show")}
    held = t["booked"] + t["no_show"]
    return t | {k: f"{round(100 * t[n] / held)}%" if held else "—"
                for k, n in (("checkin_rate", "checked_in"), ("no_show_rate", "no_show"))}


def _service(svc: dict) -> str:
    rows = []
    for x in svc.get("slots", []):
        left = (esc(x["reason"]) if x.get("reason") else
                str(max(0, x.get("capacity", 0) - x.get("booked", 0))))
        rows.append(f'<tr><td>{esc(x["start"])}–{esc(x["end"])}</td>'
                    f'<td class="num">{x.get("capacity", 0)}</td>'
                    f'<td class="num">{x.get("booked", 0)}</td>'
                    f'<td class="num">{x.get("checked_in", 0)}</td>'
                    f'<td class="num">{x.get("no_show", 0)}</td><td>{left}</td></tr>')
    people = [b for x in svc.get("slots", []) for b in x.get("bookings", [])]
    names = "".join(
        f'<tr><td>{esc(b["code"])}</td><td>{esc(b["start"])}</td><td>{esc(b["name_mask"])}</td>'
        f'<td>{esc(S.BOOK["state"].get(b["state"], b["state"]))}</td></tr>' for b in people)
    closed = "" if svc.get("open", True) else \
        f' <span class="pill paused">{esc(svc.get("reason") or K["closed"])}</span>'
    head = "".join(f"<th{' class=num' if i in (1, 2, 3, 4) else ''}>{esc(K[k])}</th>"
                   for i, k in enumerate(("slot", "capacity", "booked", "checked_in", "no_show",
                                          "free")))
    return f"""<section class="panel" tabindex="0" role="region" aria-label="{esc(svc["service_name"])}">
<h2>{esc(svc["service_name"])}{closed} <span class="small">{esc(K["totals"].format(**totals(svc)))}</span></h2>
<table><tr>{head}</tr>{"".join(rows)}</table>
<h3>{esc(K["bookings"])}</h3>{f'<table><tr><th>{esc(K["code"])}</th><th>{esc(K["slot"])}</th><th>{esc(K["name"])}</th><th>{esc(K["state"])}</th></tr>{names}</table>' if names else f'<p class="small">{esc(K["none"])}</p>'}
</section>"""


def _forms(cfg, day: str, services: list[dict]) -> str:
    options = "".join(f'<option value="{esc(s["service"])}">{esc(s["service_name"])}</option>'
                      for s in services)
    svc = f'<select name="service" required aria-label="{esc(S.CONSOLE["service"])}">{options}</select>'

    def t(name, required=False):
        return (f'<input name="{name}" type="time" step="300" aria-label="{esc(K[name])}"'
                f'{" required" if required else ""}>')

    return f"""<section class="panel"><h2>{esc(K["close"])}</h2>
<form id="close-slots" class="inline" data-action="close_slots"><input type="hidden" name="day" value="{esc(day)}">
{svc}{t("start")}{t("end")}<input name="reason" maxlength="60" aria-label="{esc(K["reason"])}" placeholder="{esc(K["reason"])}">
<button class="act" type="submit">{esc(K["close_do"])}</button><span class="small">{esc(K["close_hint"])}</span></form></section>
<section class="panel"><h2>{esc(K["open"])}</h2>
<form id="open-slots" class="inline" data-action="open_slots"><input type="hidden" name="day" value="{esc(day)}">
{svc}{t("start", True)}{t("end", True)}<input name="capacity" type="number" min="0" max="999" value="2" required aria-label="{esc(K["capacity"])}">
<button class="act" type="submit">{esc(K["open_do"])}</button></form></section>"""


def render(cfg, session, day: str, answer: dict, problem: str = "") -> str:
    services = answer.get("services", [])
    err = f'<div class="banner offline" role="alert">{esc(problem)}</div>' if problem else ""
    forms = _forms(cfg, day, services) if session.role == "manager" and services else ""
    body = f"""{_topbar(cfg, session, K["title"])}{err}<main class="figures bookings">
<form class="inline panel" method="get" action="/manage/booking">
<input name="day" type="date" value="{esc(day)}" aria-label="{esc(K["day"])}">
<button class="act" type="submit">{esc(K["show"])}</button></form>
{forms}<div class="svc-grid">{"".join(_service(s) for s in services)}</div></main><div id="toast" hidden></div>
<script type="application/json" id="boot">{boot_json({"csrf": session.csrf})}</script>"""
    return shell(f'{K["title"]} {day}', body, "bookings.js", "console")
