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
from kiosk.ticket import TicketLayout
from wire.config import ConfigError, HallConfig, Section
from wire.schema import key, read_keys

ORIENTATIONS = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


@dataclass(frozen=True)
class KioskSettings:
    """Everything the kiosk reads from its devices table, validated. A ``key`` field is read by
    wire.schema from the sub-table it names; the screen's shape, the printer's backend and
    options, the scanner's options and the ticket's layout by :func:`read_settings` (from the
    schemas below)."""

    # [screen] backend: the registry's screens; "window" unless the node simulates
    screen_backend: str = key("offscreen", name="backend", table="screen",
                              choices=lambda: backend_names("screen"),
                              default_is='`"window"` (`"offscreen"` when simulating)')
    screen_size: tuple[int, int] = ORIENTATIONS["portrait"]
    printer_backend: str = "simulated"
    printer_options: tuple = ()
    status_interval_s: float = key(5.0, table="printer", min=0.5, max=600.0)
    result_s: float = key(15.0, table="ticket", min=3.0, max=120.0)
    layout: TicketLayout | None = None
    simulate: bool = False   # the node asked for simulated devices
    # [scanner] backend: the 扫码枪 for 预约签到 (devices.scanner); none: the kiosk has none
    scanner_backend: str = key("none", name="backend", table="scanner",
                               choices=lambda: ("none", *backend_names("scanner")),
                               default_is='`"none"` (no scanner)')
    scanner_options: tuple = ()

    @property
    def orientation(self) -> str:
        w, h = self.screen_size
        return "portrait" if h >= w else "landscape"


D = KioskSettings()   # the table's defaults, stated once above


@dataclass(frozen=True, kw_only=True)
class ScreenShape:
    """``[screen]``'s shape: width and height default to the orientation's."""

    orientation: str = key(D.orientation, choices=tuple(ORIENTATIONS))
    width: int = key(min=480, max=7680, default_is="the orientation's")
    height: int = key(min=480, max=7680, default_is="the orientation's")


@dataclass(frozen=True)
class Paper:
    """``[printer]`` keys of every printer."""

    width_mm: int = key(80, min=58, max=80)   # 80 | 58


@dataclass(frozen=True)
class RealPrinter:
    """``[printer]`` keys of every printer but the simulated one."""

    status_timeout_s: float = key(0.3, min=0.05, max=5.0)


@dataclass(frozen=True)
class UsbPrinter:
    vendor_id: int = key(min=0, max=0xFFFF)
    product_id: int = key(min=0, max=0xFFFF)
    in_ep: int = key(0x82, min=0x81, max=0x8F)
    out_ep: int = key(0x01, min=0x01, max=0x0F)


@dataclass(frozen=True)
class SerialPrinter:
    devfile: str = key(name="device")
    baudrate: int = key(9600, min=1200, max=921600)


@dataclass(frozen=True)
class NetworkPrinter:
    host: str = key()
    port: int = key(9100, min=1, max=65535)


PRINTER_KEYS = {"usb": UsbPrinter, "serial": SerialPrinter, "network": NetworkPrinter}


@dataclass(frozen=True)
class HidScanner:
    """``[scanner]`` keys of a ``hid`` scanner."""

    device: str = key()      # its own /dev/input event file
    grab: bool = key(True)   # keep its keystrokes from every other program


@dataclass(frozen=True)
class SerialScanner:
    """``[scanner]`` keys of a ``serial`` scanner."""

    port: str = key()
    baudrate: int = key(9600, min=1200, max=921600)


SCANNER_KEYS = {"hid": HidScanner, "serial": SerialScanner}


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
    got = read_keys(KioskSettings, scr, table="screen",
                    defaults=None if simulate else {"screen_backend": "window"})
    shape = read_keys(ScreenShape, scr, defaults={
        "width": lambda read: ORIENTATIONS[read["orientation"]][0],
        "height": lambda read: ORIENTATIONS[read["orientation"]][1]})
    size = (shape["width"], shape["height"])
    if (size[1] >= size[0]) != (shape["orientation"] == "portrait"):
        scr.fail(f"{size[0]}×{size[1]} is not {shape['orientation']}", "orientation")
    scr.check_unused()

    prn = top.table("printer")
    known = backend_names("printer")   # the registry's: simulated, usb, serial, network, a vendor's
    printer_backend = device_backend(prn, simulate, D.printer_backend, known,
                                     tuple(b for b in known if b != "simulated"))
    options: dict = read_keys(Paper, prn)
    if options["width_mm"] not in (58, 80):
        prn.fail(f"must be 58 or 80, got {options['width_mm']}", "width_mm")
    if printer_backend != "simulated":
        options |= read_keys(RealPrinter, prn)
    if printer_backend in PRINTER_KEYS:
        options |= read_keys(PRINTER_KEYS[printer_backend], prn)
    got |= read_keys(KioskSettings, prn, table="printer")
    if printer_backend not in BACKENDS:   # a third party's printer reads its own keys
        options.update(prn.rest())
    prn.check_unused()

    got |= _scanner(top.table("scanner"))

    tkt = top.table("ticket")
    defaults = {"hall_name": cfg.name, "hotline": cfg.hotline}
    if cfg.web.public_url:   # the ticket's own page (docs/web.md)
        defaults["qr"] = "{public_url}/t/{token}"
    layout = TicketLayout(**read_keys(TicketLayout, tkt, defaults=defaults), hall_id=cfg.hall_id,
                          width_mm=options["width_mm"], public_url=cfg.web.public_url)
    try:
        layout.check()
        for svc in cfg.services.values():
            encode_text(svc.name)
    except EncodeError as exc:
        tkt.fail(f"cannot be printed: {exc}")
    except (KeyError, IndexError, ValueError) as exc:
        tkt.fail(f"unknown placeholder {exc}; use {{no}}, {{ticket_id}}, {{date}}, {{hall}}, "
                 "{token}, {public_url}", "qr")
    got |= read_keys(KioskSettings, tkt, table="ticket")
    tkt.check_unused()
    top.check_unused()
    return KioskSettings(screen_size=size, printer_backend=printer_backend,
                         printer_options=tuple(sorted(options.items())), layout=layout,
                         simulate=simulate, **got)


def _scanner(s: Section) -> dict:
    """``[…devices.scanner]``: optional (a kiosk without one checks bookings in by keypad);
    the simulated one is named (``sim``) even when the node simulates. A ``hid`` or ``serial``
    scanner's keys are its schema's above."""
    got = read_keys(KioskSettings, s, table="scanner")
    schema = SCANNER_KEYS.get(got["scanner_backend"])
    options = read_keys(schema, s) if schema else {}
    s.check_unused()
    return got | {"scanner_options": tuple(sorted(options.items()))}


def make_scanner(settings: KioskSettings):
    """The booking scanner the settings name (None: the kiosk has none)."""
    if settings.scanner_backend == "none":
        return None
    return open_device("scanner", settings.scanner_backend, **dict(settings.scanner_options))


def make_printer(settings: KioskSettings) -> Printer:
    """The printer the settings name, from the device registry; hardware libraries load only
    for a real backend."""
    return open_device("printer", settings.printer_backend, **dict(settings.printer_options))
