"""The server-rendered HTML: the ticket page's shell (the script fills it from the hub's view),
the console's login and hall pages, and the error pages. Everything from outside is escaped."""

from __future__ import annotations

import html
import json

from starlette.responses import HTMLResponse

from web import strings as S

NO_STORE = {"Cache-Control": "no-store"}
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
#: no outside script, style, frame or form target: a hall LAN page needs nothing from elsewhere
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def boot_json(data: dict) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def shell(title: str, body: str, script: str | None = None, css_class: str = "") -> str:
    js = f'<script src="/static/{script}" defer></script>' if script else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">'
        f'<title>{esc(title)}</title><link rel="stylesheet" href="/static/web.css">{js}'
        f'</head><body class="{css_class}">{body}</body></html>')


def ticket_page(cfg, token: str, view: dict, soon_ahead: int, today: str | None = None,
                now: str | None = None) -> str:
    """``now``: the hall's time (ISO) when the page is drawn; the script keeps its own clock
    that far from the phone's, to tell when a booked ticket's slot begins."""
    boot = {"token": token, "ticket": view, "soon_ahead": soon_ahead, "texts": S.PAGE,
            "levels": S.LEVELS, "reasons": S.BAD_REASONS, "hall": cfg.name,
            "day_end_why": S.DAY_END_WHY, "today": today, "now": now}
    body = f"""
<header class="hall">{esc(cfg.name)}</header>
<main id="ticket" class="ticket">
  <div id="offline" class="banner offline" hidden>{esc(S.PAGE["offline"])}</div>
  <div id="soon" class="banner soon" hidden></div>
  <section class="card number">
    <div class="label">{esc(S.PAGE["your_number"])}</div>
    <div id="no" class="no">{esc(view["no"])}</div>
    <div id="service" class="service">{esc(view["service_name"])}</div>
    <div id="green" class="tag" hidden>{esc(S.PAGE["green"])}</div>
  </section>
  <section class="card progress">
    <div id="status" class="status"></div>
    <div id="ahead" class="ahead"></div>
    <div id="est" class="est"></div>
  </section>
  <section class="card" id="windows-card">
    <div class="label">{esc(S.PAGE["windows"])}</div>
    <ul id="windows" class="windows"></ul>
  </section>
  <section class="card" id="rate" hidden>
    <div class="label">{esc(S.PAGE["rate_title"])}</div>
    <div id="levels" class="levels"></div>
    <div id="reasons-box" hidden><div class="label">{esc(S.PAGE["rate_reasons"])}</div>
      <div id="reasons" class="reasons"></div></div>
    <button id="rate-send" class="primary" disabled>{esc(S.PAGE["rate_send"])}</button>
    <div id="rate-msg" class="msg"></div>
  </section>
  <section class="actions">
    <button id="notify" class="secondary" hidden>{esc(S.PAGE["notify_enable"])}</button>
    <button id="cancel" class="secondary" hidden>{esc(S.PAGE["cancel"])}</button>
    <div id="cancel-msg" class="msg"></div>
  </section>
  <footer id="updated" class="updated"></footer>
</main>
<div id="called" class="called" hidden><div class="called-main" id="called-main"></div>
  <div class="called-sub" id="called-sub"></div></div>
<script type="application/json" id="boot">{boot_json(boot)}</script>"""
    return shell(f"{view['no']} {S.TICKET_TITLE}", body, "ticket.js", "phone")


def not_found() -> HTMLResponse:
    body = (f'<main class="ticket"><section class="card"><h1>{esc(S.NOT_FOUND_TITLE)}</h1>'
            f'<p>{esc(S.NOT_FOUND)}</p></section></main>')
    return HTMLResponse(shell(S.NOT_FOUND_TITLE, body, css_class="phone"), status_code=404,
                        headers=NO_STORE)


def error(message: str, status: int) -> HTMLResponse:
    body = (f'<main class="ticket"><section class="card"><h1>{esc(S.ERROR_TITLE)}</h1>'
            f'<p>{esc(message)}</p></section></main>')
    return HTMLResponse(shell(S.ERROR_TITLE, body, css_class="phone"), status_code=status,
                        headers=NO_STORE)
