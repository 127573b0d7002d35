"""The clerk's side of one window: which hub op each key sends, the staff-number entry for
登录, the choice for 转移, and what the clerk is told about each answer. Pure logic: the node
sends the requests and plays the feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

from rater import strings

MAX_STAFF_DIGITS = 8
ENTRY_TIMEOUT_S = 20.0  # a half-typed staff number or transfer choice is dropped after this
#: Keys that are one op with just ``{window}``.
SIMPLE_OPS = ("call_next", "recall", "skip", "finish", "pause", "resume", "hold", "start")


@dataclass(frozen=True)
class Send:
    """A request for the hub (``op``, ``args``), sent only while connected."""

    op: str
    args: dict


@dataclass(frozen=True)
class Tell:
    """Feedback for the clerk: a buzzer/LED ``signal`` (``ok``/``refused``/None) and a message."""

    signal: str | None
    message: str


@dataclass
class ClerkDesk:
    """Key handling for ``window``; ``transfer`` = [(service id, name), …] the 转移 key offers."""

    window: int
    transfer: list[tuple[str, str]]
    staff: str | None = None
    mode: str = "keys"  # keys | login | transfer
    entry: str = ""
    mode_until: float = 0.0
    held: list[str] = field(default_factory=list)

    def key(self, key: str, digit: int | None, now: float) -> Send | Tell:
        """What pressing ``key`` (``digit`` for digit keys) does."""
        if self.mode != "keys" and now >= self.mode_until:
            self.mode, self.entry = "keys", ""
        if key == "digit":
            return self._digit(digit, now)
        if key == "login":
            return self._login(now)
        if key == "transfer":
            return self._transfer(now)
        self.mode, self.entry = "keys", ""  # any other key cancels an entry in progress
        if key == "logout":
            if self.staff is None:
                return Tell("refused", strings.CLERK["not_logged_in"])
            return Send("window.logout", {"window": self.window, "staff": self.staff})
        if key == "call_back":
            if not self.held:
                return Tell("refused", strings.CLERK["no_held"])
            return Send("window.call_back", {"window": self.window, "no": self.held[0]})
        if key == "finish":
            return Send("window.finish", {"window": self.window, "outcome": "done"})
        if key in SIMPLE_OPS:
            return Send(f"window.{key}", {"window": self.window})
        raise ValueError(f"{key!r} is not a clerk key")

    def _login(self, now: float) -> Send | Tell:
        if self.mode != "login":
            self.mode, self.entry, self.mode_until = "login", "", now + ENTRY_TIMEOUT_S
            return Tell(None, strings.CLERK["enter_staff"])
        staff, self.mode, self.entry = self.entry, "keys", ""
        if not staff:
            return Tell("refused", strings.CLERK["staff_empty"])
        return Send("window.login", {"window": self.window, "staff": staff})

    def _transfer(self, now: float) -> Send | Tell:
        if not self.transfer:
            return Tell("refused", strings.CLERK["no_transfer"])
        if self.mode != "transfer":
            self.mode, self.mode_until = "transfer", now + ENTRY_TIMEOUT_S
            listed = "、".join(f"{i}.{name}" for i, (_, name) in enumerate(self.transfer, 1))
            return Tell(None, strings.CLERK["choose_transfer"].format(choices=listed))
        return self._send_transfer(0)

    def _send_transfer(self, index: int) -> Send:
        self.mode = "keys"
        return Send("window.transfer", {"window": self.window, "service": self.transfer[index][0]})

    def _digit(self, digit: int | None, now: float) -> Send | Tell:
        if digit is None or not 0 <= digit <= 9:
            return Tell("refused", strings.CLERK["digit_unused"])
        if self.mode == "login":
            if len(self.entry) >= MAX_STAFF_DIGITS:
                return Tell("refused", strings.CLERK["enter_staff"])
            self.entry += str(digit)
            self.mode_until = now + ENTRY_TIMEOUT_S
            return Tell(None, f"{strings.CLERK['enter_staff']} {self.entry}")
        if self.mode == "transfer":
            if not 1 <= digit <= len(self.transfer):
                return Tell("refused", strings.CLERK["bad_choice"].format(n=digit))
            return self._send_transfer(digit - 1)
        return Tell("refused", strings.CLERK["digit_unused"])

    # -- answers ----------------------------------------------------------------------------
    def answer(self, send: Send, result: dict | None) -> Tell:
        """The hub accepted ``send``: the feedback (call_next with nobody waiting is refused)."""
        op = send.op
        if op == "window.call_back" and send.args["no"] in self.held:
            self.held.remove(send.args["no"])
        if op in ("window.call_next", "window.recall", "window.call_back"):
            # The result is the called ticket (or {"ticket": …}); null when nobody waits.
            ticket = result.get("ticket", result) if isinstance(result, dict) else None
            if not isinstance(ticket, dict) or not ticket:
                return Tell("refused", strings.CLERK["nobody"])
            return Tell("ok", strings.CLERK["called"].format(no=ticket.get("no", "")))
        if op == "window.login":
            self.staff = send.args["staff"]
            state = result.get("window") if isinstance(result, dict) else None
            staff = state.get("staff") if isinstance(state, dict) else None
            name = staff.get("name") if isinstance(staff, dict) else None
            return Tell("ok", strings.CLERK["logged_in"].format(name=name or self.staff))
        if op == "window.logout":
            self.staff = None
            return Tell("ok", strings.CLERK["logged_out"])
        if op == "window.transfer":
            name = dict(self.transfer).get(send.args["service"], send.args["service"])
            return Tell("ok", strings.CLERK["transferred"].format(service=name))
        ticket = result.get("ticket") if isinstance(result, dict) else None
        no = ticket.get("no", "") if isinstance(ticket, dict) else ""
        return Tell("ok", strings.CLERK.get(op, strings.CLERK["ok"]).format(no=no).strip())

    def window_state(self, state: dict) -> None:
        """Follow ``state/window/{n}``: who is logged in."""
        staff = state.get("staff") if isinstance(state, dict) else None
        self.staff = staff.get("number") if isinstance(staff, dict) else None

    def ticket_held(self, no: str) -> None:
        if no not in self.held:
            self.held.append(no)

    def ticket_called(self, no: str) -> None:
        if no in self.held:
            self.held.remove(no)
