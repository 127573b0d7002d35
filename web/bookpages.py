"""The HTML of the citizens' booking pages under ``/book``: the same look as the ticket page
(web.css's phone cards), server-rendered, every form a plain POST with the page's CSRF token
(works in WeChat's WebView without a script). Everything from outside is escaped."""

from __future__ import annotations

import datetime as dt
import re

import qrcode
import qrcode.image.svg

from web import strings as S
from web.pages import boot_json, esc, shell

B = S.BOOK


def _page(cfg, title: str, inner: str, script: str | None = None) -> str:
    body = (f'<header class="hall">{esc(cfg.name)} · {esc(B["title"])}</header>'
            f'<main class="ticket book">{inner}</main>')
    return shell(title, body, script, "phone")


def _back(href: str, text: str = B["back"]) -> str:
    return f'<p class="back"><a href="{esc(href)}">‹ {esc(text)}</a></p>'


def day_label(day: str) -> str:
    """``2026-12-08`` → ``12月8日 周二``."""
    d = dt.date.fromisoformat(day)
    return f"{d.month}月{d.day}日 {B['weekdays'][d.weekday()]}"


def services(cfg, offered: list[tuple[str, str, int]]) -> str:
    """The service list: (id, name, materials count) of each bookable service."""
    items = "".join(
        f'<li><a class="pick" href="/book/s/{esc(sid)}"><span class="what">{esc(name)}</span>'
        f'<span class="more">{esc(B["materials_n"].format(n=n)) if n else ""}</span></a></li>'
        for sid, name, n in offered)
    inner = (f'<section class="card"><h1 class="step">{esc(B["choose_service"])}</h1>'
             + (f'<ul class="picks">{items}</ul>' if offered else f'<p>{esc(B["no_services"])}</p>')
             + '</section>')
    return _page(cfg, B["title"], inner)


def days(cfg, heading: str, base: str, answer: dict, back: str) -> str:
    """The bookable window: one line per day, open ones linking to their slots."""
    rows = []
    for d in answer.get("days", []):
        free = sum(s.get("free", 0) for s in d.get("slots", []) if not s.get("closed"))
        label = esc(day_label(d["day"]))
        if not d.get("open", False):
            why = d.get("reason") or B["day_closed"]
            rows.append(f'<li><span class="pick off"><span class="what">{label}</span>'
                        f'<span class="more">{esc(why)}</span></span></li>')
        elif free <= 0:
            rows.append(f'<li><span class="pick off"><span class="what">{label}</span>'
                        f'<span class="more">{esc(B["day_full"])}</span></span></li>')
        else:
            rows.append(f'<li><a class="pick" href="{esc(base)}/{esc(d["day"])}">'
                        f'<span class="what">{label}</span>'
                        f'<span class="more ok">{esc(B["day_free"].format(n=free))}</span></a></li>')
    inner = (_back(back) + f'<section class="card"><div class="label">{esc(heading)}</div>'
             f'<h1 class="step">{esc(B["choose_day"])}</h1><ul class="picks">{"".join(rows)}</ul>'
             '</section>')
    return _page(cfg, f'{heading} · {B["choose_day"]}', inner)


def slots(cfg, heading: str, base: str, day: dict, back: str) -> str:
    """One day's slots as a grid of buttons with their free counts."""
    cells = []
    for s in day.get("slots", []):
        times = f'{esc(s["start"])}–{esc(s["end"])}'
        if s.get("closed"):
            cells.append(f'<span class="slot off"><b>{times}</b>'
                         f'<span>{esc(s.get("reason") or B["day_closed"])}</span></span>')
        elif s.get("free", 0) > 0:
            cells.append(f'<a class="slot" href="{esc(base)}/{esc(day["day"])}/'
                         f'{esc(s["start"].replace(":", ""))}"><b>{times}</b>'
                         f'<span>{esc(B["slot_free"].format(n=s["free"]))}</span></a>')
        else:
            cells.append(f'<span class="slot off"><b>{times}</b>'
                         f'<span>{esc(B["slot_full"])}</span></span>')
    grid = (f'<div class="slots">{"".join(cells)}</div>' if cells
            else f'<p>{esc(B["no_slots"])}</p>')
    inner = (_back(back) + f'<section class="card"><div class="label">{esc(heading)} · '
             f'{esc(day_label(day["day"]))}</div><h1 class="step">{esc(B["choose_slot"])}</h1>'
             f'{grid}</section>')
    return _page(cfg, f'{heading} · {B["choose_slot"]}', inner)


def _materials(materials: list[str]) -> str:
    if not materials:
        return f'<p>{esc(B["materials_none"])}</p>'
    return '<ol class="materials">' + "".join(f"<li>{esc(m)}</li>" for m in materials) + "</ol>"


def _when(service_name: str, day: str, start: str, end: str) -> str:
    return (f'<div class="label">{esc(B["service"])}</div><div class="service">'
            f'{esc(service_name)}</div><div class="label">{esc(B["when"])}</div>'
            f'<div class="when">{esc(day_label(day))} {esc(start)}–{esc(end)}</div>')


def form(cfg, service_name: str, day: str, slot: dict, materials: list[str], csrf: str,
         back: str, error: str = "", values: dict | None = None) -> str:
    """一次性告知 and the real-name form of a new booking."""
    v = values or {}
    err = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    inner = f"""{_back(back)}<section class="card">{_when(service_name, day, slot["start"], slot["end"])}</section>
<section class="card"><h2 class="step">{esc(B["materials"])}</h2>{_materials(materials)}</section>
<form class="card book-form" method="post">{err}<h2 class="step">{esc(B["form_title"])}</h2>
<input type="hidden" name="csrf" value="{esc(csrf)}">
<label for="name">{esc(B["name"])}</label><input id="name" name="name" maxlength="30" required
 autocomplete="name" value="{esc(v.get("name", ""))}">
<label for="id_number">{esc(B["id_number"])}</label><input id="id_number" name="id_number"
 maxlength="18" required autocomplete="off" inputmode="text" value="{esc(v.get("id_number", ""))}">
<label for="phone">{esc(B["phone"])}</label><input id="phone" name="phone" maxlength="11" required
 autocomplete="tel" inputmode="tel" value="{esc(v.get("phone", ""))}">
<p class="small">{esc(B["privacy"])}</p>
<label class="check"><input type="checkbox" name="ack" value="1" required>{esc(B["materials_ack"])}</label>
<button class="primary" type="submit">{esc(B["confirm"])}</button></form>"""
    return _page(cfg, B["confirm"], inner)


def move_form(cfg, booking: dict, day: str, slot: dict, csrf: str, back: str) -> str:
    """The confirmation of a rebooking to ``day`` ``slot``."""
    was = f'{day_label(booking["day"])} {booking["start"]}–{booking["end"]}'
    inner = f"""{_back(back)}<section class="card">{_when(booking["service_name"], day, slot["start"], slot["end"])}
<p class="small">{esc(B["move_from"].format(was=was))}</p></section>
<form class="card" method="post"><input type="hidden" name="csrf" value="{esc(csrf)}">
<button class="primary" type="submit">{esc(B["move_confirm"])}</button></form>"""
    return _page(cfg, B["move_confirm"], inner)


def booking(cfg, b: dict, base: str, csrf: str, can_change: bool, qr_svg: str,
            notice: str = "", live: bool = False) -> str:
    """A booking's own page: code, QR, time, materials, cancel and rebook until the deadline.
    While ``live`` (around the slot) its script asks every few seconds whether it was checked
    in, then opens the ticket page."""
    state = b.get("state", "booked")
    note = f'<div class="banner done">{esc(notice)}</div>' if notice else ""
    until = _clock(b.get("cancel_until"))
    qr = ""
    if state == "booked":
        qr = (f'<div class="qr" role="img" aria-label="{esc(B["code"])} {esc(b["code"])}">'
              f'{qr_svg}</div><p class="small">{esc(B["qr_hint"])}</p>')
    actions = ""
    if state == "booked" and can_change:
        actions = f"""<section class="actions"><a class="secondary button" href="{esc(base)}/move">{esc(B["move"])}</a>
<form method="post" action="{esc(base)}/cancel" id="cancel-form" data-confirm="{esc(B["cancel_confirm"])}">
<input type="hidden" name="csrf" value="{esc(csrf)}">
<button class="secondary" type="submit">{esc(B["cancel"])}</button></form>
<p class="msg">{esc(B["cancel_until"].format(t=until))}</p></section>"""
    elif state == "booked":
        actions = f'<p class="msg">{esc(B["cancel_closed"].format(t=until))}</p>'
    status_class = "st-finished" if state == "booked" else "st-cancelled"
    inner = f"""{note}<section class="card number"><div class="label">{esc(B["code"])}</div>
<div class="no code" id="code">{esc(b["code"])}</div>
<div class="status {status_class}" id="state" data-state="{esc(state)}">{esc(B["state"].get(state, state))}</div>
{qr}</section>
<section class="card">{_when(b["service_name"], b["day"], b["start"], b["end"])}
<div class="label">{esc(B["person"])}</div><div>{esc(b.get("name_mask", ""))} · {esc(b.get("phone_mask", ""))}</div></section>
<section class="card"><h2 class="step">{esc(B["materials"])}</h2>{_materials(b.get("materials") or [])}</section>
{actions}<p class="small center">{esc(B["keep_link"])}</p>
<script type="application/json" id="boot">{boot_json({"state": base + "/state", "live": live})}</script>"""
    return _page(cfg, f'{B["code"]} {b["code"]}', inner, "book.js")


def _clock(iso: str | None) -> str:
    """``2026-12-08T07:00:00+08:00`` → ``12月8日 07:00``."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{t.month}月{t.day}日 {t:%H:%M}"


def refused(cfg, title: str, why: str, todo: str, back: str, back_text: str,
            status: int = 400) -> tuple[str, int]:
    """A refusal that tells the citizen why and what to do."""
    inner = (f'<section class="card refusal"><h1>{esc(title)}</h1><p class="why">{esc(why)}</p>'
             + (f'<p>{esc(todo)}</p>' if todo else "")
             + f'<p><a class="primary button" href="{esc(back)}">{esc(back_text)}</a></p>'
             '</section>')
    return _page(cfg, title, inner), status


def not_found(cfg) -> str:
    inner = (f'<section class="card"><h1>{esc(B["not_found_title"])}</h1>'
             f'<p>{esc(B["not_found"])}</p></section>')
    return _page(cfg, B["not_found_title"], inner)


def qr_svg(text: str) -> str:
    """The booking code as an inline SVG QR (the kiosk's scanner reads the code)."""
    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = img.to_string(encoding="unicode")
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)


SLOT_RE = re.compile(r"^([01]\d|2[0-3])([0-5]\d)$")


def slot_start(text: str) -> str | None:
    """``0930`` (the URL's form) → ``09:30``; None when it is no time."""
    m = SLOT_RE.match(text)
    return f"{m.group(1)}:{m.group(2)}" if m else None
