"""The kiosk's ``[nodes.devices]`` table: validated once at start into settings and devices.

See docs/kiosk.md for every key. The printer must be named (``printer.backend``); the simulated
printer and an offscreen screen are the defaults only when the node asks for simulated devices
(``backend = "sim"`` in the table, or ``--simulate``): see devices.simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.printer import BACKENDS, Printer
from devices.printer.commands import EncodeError, encode_text
from devices.registry import backend_names, open_device
from devices.simulation import device_backend, wants_simulation
from kiosk import strings as S
from kiosk.ticket import TicketLayout
from wire.config import ConfigError, HallConfig, Section

ORIENTATIONS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


@dataclass(frozen=True)
class KioskSettings:
    """Everything the kiosk reads from its devices table, validated."""

    screen_backend: str = "offscreen"
    screen_size: tuple[int, int] = ORIENTATIONS["portrait"]
    printer_backend: str = "simulated"
    printer_options: tuple = ()
    status_interval_s: float = 5.0
    result_s: float = 15.0
    layout: TicketLayout | None = None
    simulate: bool = False   # the node asked for simulated devices
    scanner_backend: str = "none"  # 扫码枪 for 预约签到 (devices.scanner): none, hid, serial, sim
    scanner_options: tuple = ()

    @property
    def orientation(self) -> str:
        w, h = self.screen_size
        return "portrait" if h >= w else "landscape"


D = KioskSettings()   # the table's defaults, stated once above


def read_settings(cfg: HallConfig, node_id: str, simulate: bool = False) -> KioskSettings:
    """The kiosk's settings from ``cfg``; ConfigError naming the key for anything wrong, or
    the printer's table and key when the node names no printer and did not ask to
    ``simulate``."""
    node = cfg.node(node_id)
    if node.role != "kiosk":
        raise ConfigError(f"{cfg.source}: nodes.{node_id}: is a {node.role}, not a kiosk")
    path = f"nodes.{node_id}.devices"
    top = Section(node.devices, path, cfg.source)
    simulate = wants_simulation(top, simulate)

    scr = top.table("screen")
    default = D.screen_backend if simulate else "window"
    backend = scr.str("backend", default, choices=backend_names("screen"))
    orientation = scr.str("orientation", D.orientation, choices=tuple(ORIENTATIONS))
    default_w, default_h = ORIENTATIONS[orientation]
    size = (scr.int("width", default_w, min=480, max=7680),
            scr.int("height", default_h, min=480, max=7680))
    if (size[1] >= size[0]) != (orientation == "portrait"):
        scr.fail(f"{size[0]}×{size[1]} is not {orientation}", "orientation")
    scr.check_unused()

    prn = top.table("printer")
    known = backend_names("printer")   # the registry's: simulated, usb, serial, network, a vendor's
    printer_backend = device_backend(prn, simulate, D.printer_backend, known,
                                     tuple(b for b in known if b != "simulated"))
    width_mm = prn.int("width_mm", 80, min=58, max=80)
    if width_mm not in (58, 80):
        prn.fail(f"must be 58 or 80, got {width_mm}", "width_mm")
    options: dict = {"width_mm": width_mm}
    if printer_backend != "simulated":
        options["status_timeout_s"] = prn.float("status_timeout_s", 0.3, min=0.05, max=5.0)
    if printer_backend == "usb":
        options["vendor_id"] = prn.int("vendor_id", min=0, max=0xFFFF)
        options["product_id"] = prn.int("product_id", min=0, max=0xFFFF)
        options["in_ep"] = prn.int("in_ep", 0x82, min=0x81, max=0x8F)
        options["out_ep"] = prn.int("out_ep", 0x01, min=0x01, max=0x0F)
    elif printer_backend == "serial":
        options["devfile"] = prn.str("device")
        options["baudrate"] = prn.int("baudrate", 9600, min=1200, max=921600)
    elif printer_backend == "network":
        options["host"] = prn.str("host")
        options["port"] = prn.int("port", 9100, min=1, max=65535)
    status_interval_s = prn.float("status_interval_s", D.status_interval_s, min=0.5, max=600.0)
    if printer_backend not in BACKENDS:   # a third party's printer reads its own keys
        options.update(prn.rest())
    prn.check_unused()

    scanner_backend, scanner_options = _scanner(top.table("scanner"), simulate)

    tkt = top.table("ticket")
    footer = tuple(tkt.str_list("footer", list(S.TICKET_FOOTER)))
    layout = TicketLayout(
        hall_name=tkt.str("hall_name", cfg.name), hall_id=cfg.hall_id,
        hotline=tkt.str("hotline", cfg.hotline), footer=footer,
        qr=tkt.str("qr", "{public_url}/t/{token}" if cfg.web.public_url else "{ticket_id}"),
        width_mm=width_mm, public_url=cfg.web.public_url)
    try:
        layout.check()
        for svc in cfg.services.values():
            encode_text(svc.name)
    except EncodeError as exc:
        tkt.fail(f"cannot be printed: {exc}")
    except (KeyError, IndexError, ValueError) as exc:
        tkt.fail(f"unknown placeholder {exc}; use {{no}}, {{ticket_id}}, {{date}}, {{hall}}, "
                 "{token}, {public_url}", "qr")
    result_s = tkt.float("result_s", D.result_s, min=3.0, max=120.0)
    tkt.check_unused()
    top.check_unused()
    return KioskSettings(backend, size, printer_backend, tuple(sorted(options.items())),
                         status_interval_s, result_s, layout, simulate, scanner_backend,
                         scanner_options)


def _scanner(s: Section, simulate: bool) -> tuple[str, tuple]:
    """``[…devices.scanner]``: optional (a kiosk without one checks bookings in by keypad);
    ``hid`` takes ``device`` (its /dev/input event file), ``serial`` ``port`` and ``baudrate``."""
    backend = s.str("backend", "sim" if simulate and s.data else "none",
                    choices=("none", *backend_names("scanner")))
    options: dict = {}
    if backend == "hid":
        options = {"device": s.str("device"), "grab": s.bool("grab", True)}
    elif backend == "serial":
        options = {"port": s.str("port"), "baudrate": s.int("baudrate", 9600, min=1200,
                                                             max=921600)}
    s.check_unused()
    return backend, tuple(sorted(options.items()))


def make_scanner(settings: KioskSettings):
    """The booking scanner the settings name (None: the kiosk has none)."""
    if settings.scanner_backend == "none":
        return None
    return open_device("scanner", settings.scanner_backend, **dict(settings.scanner_options))


def make_printer(settings: KioskSettings) -> Printer:
    """The printer the settings name, from the device registry; hardware libraries load only
    for a real backend."""
    return open_device("printer", settings.printer_backend, **dict(settings.printer_options))
