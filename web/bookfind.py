"""``/book/find`` (查询我的预约, docs/booking.md): a citizen who lost the booking's link finds
the open bookings again with the ID number and the phone given when booking (``booking.find``).

Every form sent costs the address one of its ``find`` allowance (right or wrong), and the hub
limits per ID number and per phone (class ``book_find``): the pair is the secret and guessing
either half stops. A wrong ID, a wrong phone or no booking all draw the same form and line."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web import bookform, bookpages, errors
from web import strings as S
from wire.client import HubUnreachable
from wire.contract import HubError

B = S.BOOK


class FindPage:
    """GET: the form; POST: ``booking.find`` → the bookings with links to their new pages."""

    def __init__(self, pages):
        self.pages = pages  # web.booking.BookingPages: its limits, cookie and refusal pages

    async def page(self, request: Request) -> Response:
        bookform.csrf(request)
        post = request.method == "POST"
        p = self.pages
        if (limited := p.limited(request, "find" if post else "page")) is not None:
            return limited
        if not post:
            return p.html(request, bookpages.find_form(p.cfg, request.state.csrf))
        fields = await bookform.read(request)
        if fields is None:
            return p.expired(request, "/book/find")
        values = {"id_number": fields.get("id_number", "").strip().upper(),
                  "phone": fields.get("phone", "").strip()}
        problem = self.problem(values)
        if problem:
            return self.again(request, problem, values, 400)
        try:
            answer = await p.link.request("booking.find", values)
        except (HubError, HubUnreachable) as exc:
            code = errors.code(exc)
            if code == "not_found":  # the one answer for any mismatch: never the hub's words
                return self.again(request, B["find_none"], values, 404)
            if code == "bad_id":
                return self.again(request, B["bad_id"], values, 400)
            return p.refusal(request, B["not_found_title"], exc, "/book/find", B["back"])
        return p.html(request, bookpages.found(p.cfg, answer.get("bookings", [])))

    @staticmethod
    def problem(values: dict) -> str:
        if not bookform.ID_RE.fullmatch(values["id_number"]):
            return B["bad_id"]
        if not bookform.PHONE_RE.fullmatch(values["phone"]):
            return B["bad_phone"]
        return ""

    def again(self, request: Request, error: str, values: dict, status: int) -> Response:
        """The form again with ``error`` and what the citizen typed."""
        return self.pages.html(request, bookpages.find_form(
            self.pages.cfg, request.state.csrf, error, values), status)
