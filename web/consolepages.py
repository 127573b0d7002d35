"""The console's HTML: the login form, the hall page (its script fills the panels from the live
picture) and hall-report's tables for a day or a month."""

from __future__ import annotations

from web import strings as S
from web.pages import boot_json, esc, shell


def login(message: str = "") -> str:
    err = f'<p class="error">{esc(message)}</p>' if message else ""
    body = f"""<main class="login panel"><h2>{esc(S.LOGIN_TITLE)}</h2>{err}
<form method="post" action="/manage/login">
<label for="name">{esc(S.LOGIN_NAME)}</label><input id="name" name="name" maxlength="32"
 autocomplete="username" required>
<label for="password">{esc(S.LOGIN_PASSWORD)}</label><input id="password" name="password"
 type="password" maxlength="128" autocomplete="current-password" required>
<p><button class="primary" type="submit">{esc(S.LOGIN_SUBMIT)}</button></p></form></main>"""
    return shell(S.LOGIN_TITLE, body, css_class="console")


def _topbar(cfg, session, title: str) -> str:
    return f"""<header class="topbar"><h1>{esc(cfg.name)} · {esc(title)}</h1><div>
<span>{esc(session.user)}</span><a href="/manage">{esc(S.CONSOLE_TITLE)}</a>
<a href="/manage/figures">{esc(S.CONSOLE["figures"])}</a>
<a href="/manage/booking">{esc(S.BOOK_CONSOLE["title"])}</a>
<form method="post" action="/manage/logout">
<input type="hidden" name="csrf" value="{esc(session.csrf)}">
<button type="submit">{esc(S.LOGOUT)}</button></form></div></header>"""


def console(cfg, session, snapshot: dict) -> str:
    C = S.CONSOLE
    services = "".join(f'<option value="{esc(sid)}">{esc(s.name)}</option>'
                       for sid, s in cfg.services.items())
    windows = "".join(f'<option value="{n}">{esc(w.name)}</option>'
                      for n, w in cfg.windows.items())
    boot = {"csrf": session.csrf, "role": session.role, "texts": C,
            "alert_kinds": S.ALERT_KINDS, "levels": S.LEVELS, "steps": S.FOLLOWUP_STEPS,
            "snapshot": snapshot}
    then = "".join(f"""<select name="services" aria-label="{esc(C["assign_then"])}"><option value="">{esc(C["assign_then"])}</option>
{services}</select>""" for _ in range(2))
    actions = "" if session.role != "manager" else f"""
<section class="panel"><h2>{esc(C["assign"])}</h2>
<form id="assign" class="inline"><select name="window" required aria-label="{esc(C["assign_window"])}">{windows}</select>
<select name="services" required aria-label="{esc(C["assign_first"])}"><option value="">{esc(C["assign_first"])}</option>
{services}</select>{then}<button class="act" type="submit">{esc(C["assign_do"])}</button>
<span class="small">{esc(C["assign_hint"])}</span></form></section>
<section class="panel"><h2>{esc(C["move"])}</h2>
<form id="move" class="inline"><input name="no" aria-label="{esc(C["move_no"])}" placeholder="{esc(C["move_no"])}" maxlength="4"
 size="6" required><select name="service" aria-label="{esc(C["move_service"])}"><option value="">{esc(C["move_service"])}</option>
{services}</select><select name="to_window" aria-label="{esc(C["move_window"])}"><option value="">{esc(C["move_window"])}</option>
{windows}</select><button class="act" type="submit">{esc(C["move_do"])}</button></form></section>
<section class="panel"><h2>{esc(C["notice"])}</h2>
<form id="notice" class="inline"><input name="text" maxlength="200" class="grow"
 aria-label="{esc(C["notice"])}"
 value="{esc(snapshot.get("notice") or "")}"><button class="act" type="submit">
{esc(C["notice_set"])}</button></form></section>
<section class="panel"><h2>{esc(C["close_day"])}</h2><div class="inline">
<span class="small">{esc(C["close_day_hint"])}</span>
<button id="close-day" class="act">{esc(C["close_day_do"])}</button></div></section>"""
    body = f"""{_topbar(cfg, session, S.CONSOLE_TITLE)}
<div id="offline" class="banner offline" hidden>{esc(C["offline_banner"])}</div>
<div id="hub-offline" class="banner offline" role="alert" hidden>{esc(C["hub_offline"])}</div>
<div class="grid"><div>
<section class="panel"><h2>{esc(C["windows"])}</h2><table id="windows"></table></section>
<section class="panel"><h2>{esc(C["queue"])}</h2><table id="services"></table></section>
{actions}
</div><div>
<section class="panel"><h2>{esc(C["alerts"])}</h2><div id="alerts"></div></section>
<section class="panel"><h2>{esc(C["ratings"])}</h2><div id="ratings"></div></section>
<section class="panel"><h2>{esc(C["followups"])}</h2><div id="followups"></div></section>
<section class="panel"><h2>{esc(C["nodes"])}</h2><table id="nodes"></table></section>
</div></div><div id="toast" hidden></div>
<script type="application/json" id="boot">{boot_json(boot)}</script>"""
    return shell(S.CONSOLE_TITLE, body, "console.js", "console")


def figures(cfg, session, period, title: str, sheets: list) -> str:
    kind, text = period.kind, period.slug()
    parts = [f"""{_topbar(cfg, session, S.CONSOLE["figures"])}<main class="figures">
<form class="inline panel" method="get" action="/manage/figures">
<select name="kind" aria-label="{esc(S.FIGURES_KIND)}"><option value="day"{" selected" if kind == "day" else ""}>日</option>
<option value="month"{" selected" if kind == "month" else ""}>月</option></select>
<input name="period" value="{esc(text)}" maxlength="10" size="10"
 aria-label="{esc(S.FIGURES_DAY)}">
<button class="act" type="submit">{esc(S.FIGURES_SHOW)}</button>
<a href="/manage/figures.xlsx?kind={esc(kind)}&amp;period={esc(text)}">{esc(S.FIGURES_XLSX)}</a>
<a href="/manage/ratings.csv?kind={esc(kind)}&amp;period={esc(text)}">{esc(S.FIGURES_CSV)}</a>
<a href="/manage/bulletin.html?kind={esc(kind)}&amp;period={esc(text)}">{esc(S.FIGURES_BULLETIN)}</a>
<a href="/manage/staffing">{esc(S.STAFFING)}</a>
</form><h2>{esc(title)}</h2>"""]
    parts.append('<section class="panel charts">' + "".join(
        f'<img src="/manage/chart/{name}.png?kind={esc(kind)}&amp;period={esc(text)}" '
        f'alt="{esc(S.FIGURES_CHARTS[name])}">' for name in S.FIGURES_CHARTS) + "</section>")
    for name, heads, rows in sheets:
        head = "".join(f"<th>{esc(h)}</th>" for h in heads)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                       for r in rows) or f'<tr><td>{esc(S.FIGURES_NONE)}</td></tr>'
        # tabindex: a table wider than the screen scrolls in its panel, by keyboard too
        parts.append(f'<section class="panel" tabindex="0" role="region" '
                     f'aria-label="{esc(name)}"><h2>{esc(name)}</h2><table><tr>{head}</tr>'
                     f'{body}</table></section>')
    parts.append("</main>")
    return shell(title, "".join(parts), css_class="console")
