"""One body for every receipt printer backend: simulated, serial (pty), network (TCP), USB.

What the ESC/POS backends do on the same input is what the simulation must do (issue 15 §6).
The real backends talk to an emulated printer on a real pseudo-terminal and a real socket.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from devices.printer.commands import CHINESE_ON, INIT, encode_text
from devices.printer.escpos_backend import EscposPrinter
from devices.printer.interface import UNKNOWN, Printer, PrinterError, PrinterStatus
from devices.printer.simulated import SimulatedPrinter
from tests.helpers import eventually

JOB = INIT + CHINESE_ON + encode_text("示范县政务服务中心 A012\n") + b"\x1dV\x00"


@dataclass
class Rig:
    """A printer and the far end of its line: ``received()`` the job bytes that arrived,
    ``report(status)`` what the printer says next, ``mute()`` a printer without DLE EOT."""

    printer: Printer
    received: Callable[[], bytes]
    report: Callable[[PrinterStatus], None]
    mute: Callable[[], None]


@pytest.fixture(params=["simulated", "serial", "network"])
def rig(request):
    if request.param == "simulated":
        printer = SimulatedPrinter()
        yield Rig(printer, lambda: printer.output, lambda s: printer.set_status(
            paper=s.paper, cover=s.cover, line=s.line, error=s.error),
            lambda: setattr(printer, "answers_status", False))
        return
    if request.param == "serial":
        emu, path = request.getfixturevalue("pty_printer")
        printer = EscposPrinter.serial(path, status_timeout_s=0.2)
    else:
        emu, port = request.getfixturevalue("tcp_printer")
        printer = EscposPrinter.network("127.0.0.1", port, status_timeout_s=0.2)
    yield Rig(printer, lambda: emu.job_bytes, lambda s: setattr(emu, "status", s),
              lambda: setattr(emu, "answers", False))
    printer.close()


@pytest.fixture(params=["simulated", "serial", "network", "usb"])
def unplugged(request, tmp_path):
    """A printer whose line is dead: no device file, nobody listening, no USB device."""
    if request.param == "simulated":
        printer = SimulatedPrinter()
        printer.unplug()
    elif request.param == "serial":
        printer = EscposPrinter.serial(str(tmp_path / "ttyUSB9"), status_timeout_s=0.1)
    elif request.param == "network":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        printer = EscposPrinter.network("127.0.0.1", port, timeout_s=0.5)
    else:
        printer = EscposPrinter.usb(0xFFFE, 0xFFFE, status_timeout_s=0.1)
    yield printer
    printer.close()


def test_a_job_arrives_byte_for_byte(rig):
    rig.printer.write(JOB)
    rig.printer.write(bytearray(b"\n"))
    rig.printer.write(memoryview(b"\x1bd\x03"))
    assert eventually(lambda: rig.received() == JOB + b"\n\x1bd\x03", timeout=3.0)


@pytest.mark.parametrize("job", ["税务", "A012\n", 12, None, [0x1B, 0x40], {"no": "A012"}])
def test_anything_but_bytes_is_a_printer_error_and_sends_nothing(rig, job):
    with pytest.raises(PrinterError, match="bytes"):
        rig.printer.write(job)
    rig.printer.write(JOB)  # the line is still good
    assert eventually(lambda: rig.received() == JOB, timeout=3.0)


@pytest.mark.parametrize("status", [
    PrinterStatus("ok", "closed", "online"),
    PrinterStatus("near_end", "closed", "online"),
    PrinterStatus("out", "closed", "online"),
    PrinterStatus("ok", "open", "online"),
    PrinterStatus("ok", "closed", "offline"),
    PrinterStatus("ok", "closed", "online", "cutter"),
])
def test_status_is_what_the_printer_says(rig, status):
    rig.report(status)
    assert rig.printer.status() == status


@pytest.mark.parametrize("status", [PrinterStatus("out", "closed", "online"),
                                    PrinterStatus("ok", "open", "online"),
                                    PrinterStatus("ok", "closed", "offline")])
def test_a_printer_that_cannot_print_still_takes_the_bytes(rig, status):
    """Refusing a ticket is the node's choice (from status), never the backend's."""
    rig.report(status)
    assert rig.printer.status().blocks_printing
    rig.printer.write(JOB)
    assert eventually(lambda: rig.received() == JOB, timeout=3.0)


def test_a_printer_without_status_is_unknown_and_still_prints(rig):
    rig.mute()
    assert rig.printer.status() == UNKNOWN and not UNKNOWN.blocks_printing
    rig.printer.write(JOB)
    assert eventually(lambda: rig.received() == JOB, timeout=3.0)


def test_close_then_write_opens_the_line_again(rig):
    rig.printer.close()
    rig.printer.close()  # twice is harmless
    rig.printer.write(JOB)
    assert eventually(lambda: rig.received() == JOB, timeout=3.0)
    assert rig.printer.status().state == "ok"


def test_a_dead_line_reads_offline_and_refuses_jobs(unplugged):
    status = unplugged.status()
    assert status == PrinterStatus(line="offline", error="not_reachable")
    assert status.blocks_printing and status.state == "offline"
    with pytest.raises(PrinterError) as refused:
        unplugged.write(JOB)
    assert "\n" not in str(refused.value)
    with pytest.raises(PrinterError, match="bytes"):
        unplugged.write("税务")


def test_every_backend_has_a_width_and_a_kind(rig):
    assert rig.printer.width_mm in (80, 58)
    assert rig.printer.kind in ("simulated", "usb", "serial", "network")


@pytest.mark.parametrize("build", [
    lambda: SimulatedPrinter(width_mm=76),
    lambda: EscposPrinter.network("127.0.0.1", 9, width_mm=76),
    lambda: EscposPrinter.serial("/dev/null", width_mm=True),
])
def test_a_paper_width_no_printer_has_is_refused(build):
    with pytest.raises(ValueError, match="80 or 58"):
        build()


def test_jobs_and_status_from_two_threads_never_mix(rig):
    """The kiosk's loop prints while its watcher asks for status: each job arrives whole."""
    statuses = []

    def watcher():
        for _ in range(15):
            statuses.append(rig.printer.status())

    thread = threading.Thread(target=watcher)
    thread.start()
    for _ in range(15):
        rig.printer.write(JOB)
    thread.join(10)
    assert eventually(lambda: rig.received() == JOB * 15, timeout=5.0)
    assert [s.state for s in statuses] == ["ok"] * 15
