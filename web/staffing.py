"""The console's 排班建议 page: next week's plan that ``hall-twin staffing`` wrote beside the
database (report.staffing reads and tabulates it), as tables a manager prints. Read-only: the
page only shows the file; the hall's nightly job (docs/twin.md) makes it."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from report import staffing as plan_file
from report import strings as RS
from web import strings as S
from web.consolepages import _topbar  # the console's one header, shared by its pages
from web.pages import NO_STORE, esc, shell


def routes(console) -> list[Route]:
    """``/manage/staffing`` for a logged-in console user (manager or viewer)."""

    async def page(request: Request) -> Response:
        session = console.session(request)
        if session is None:
            return RedirectResponse("/manage/login", 303)
        plan, problem = await asyncio.to_thread(load, console.db_path)
        return HTMLResponse(render(console.cfg, session, plan, problem), headers=NO_STORE)

    return [Route("/manage/staffing", page)]


def load(db_path: str | None) -> tuple[dict | None, str | None]:
    """(the plan or None, a problem to show or None)."""
    if not db_path:
        return None, None
    try:
        return plan_file.read(plan_file.beside(db_path)), None
    except plan_file.StaffingError as exc:
        return None, S.STAFFING_BROKEN.format(why=exc)


def _table(title: str, heads: list[str], rows: list[list]) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in heads)
    body = "".join(f'<tr><th scope="row">{esc(r[0])}</th>'
                   + "".join(f"<td>{esc(c)}</td>" for c in r[1:]) + "</tr>" for r in rows)
    return (f'<section class="panel staffing" tabindex="0" role="region" aria-label="{esc(title)}">'
            f"<h2>{esc(title)}</h2><table><tr>{head}</tr>{body}</table></section>")


def render(cfg, session, plan: dict | None, problem: str | None = None) -> str:
    parts = [_topbar(cfg, session, S.STAFFING), '<main class="figures">']
    if plan is None:
        parts.append(f'<p class="panel">{esc(problem or RS.STAFFING_NONE)}</p>')
    else:
        made = plan.get("made")
        parts.append(f'<h2>{esc(plan_file.title(plan))} <button id="print" class="act" '
                     f'type="button">{esc(S.STAFFING_PRINT)}</button></h2>')
        if made:
            when = made[:16].replace("T", " ")
            parts.append(f'<p class="small">{esc(RS.STAFFING_MADE.format(made=when))}</p>')
        parts += [_table(*t) for t in plan_file.tables(plan)]
        parts += [f'<p class="small">{esc(line)}</p>' for line in plan_file.notes(plan)]
    parts.append('</main><link rel="stylesheet" href="/static/staffing.css">')
    return shell(S.STAFFING, "".join(parts), "staffing.js", "console")
