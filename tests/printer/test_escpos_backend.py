"""The real backends (python-escpos Serial and Network) against an emulated printer on a real
pseudo-terminal and a real TCP socket."""

from __future__ import annotations

import socket

import pytest

from devices.printer.commands import CHINESE_ON, INIT, encode_text
from devices.printer.escpos_backend import EscposPrinter
from devices.printer.interface import UNKNOWN, PrinterError, PrinterStatus
from tests.helpers import eventually

JOB = INIT + CHINESE_ON + encode_text("示范县政务服务中心（取号）\n") + b"\x1dV\x00"


@pytest.fixture(params=["serial", "network"])
def real(request, pty_printer, tcp_printer):
    if request.param == "serial":
        emu, path = pty_printer
        printer = EscposPrinter.serial(path, status_timeout_s=0.2)
    else:
        emu, port = tcp_printer
        printer = EscposPrinter.network("127.0.0.1", port, status_timeout_s=0.2)
    yield emu, printer
    printer.close()


def test_job_bytes_arrive_exactly(real):
    emu, printer = real
    printer.write(JOB)
    assert eventually(lambda: emu.job_bytes == JOB, timeout=3.0)


@pytest.mark.parametrize("status", [
    PrinterStatus("ok", "closed", "online"),
    PrinterStatus("out", "closed", "online"),
    PrinterStatus("near_end", "closed", "online"),
    PrinterStatus("ok", "open", "online"),
    PrinterStatus("ok", "closed", "offline"),
])
def test_status_is_read_from_the_printer(real, status):
    emu, printer = real
    emu.status = status
    assert printer.status() == status


def test_a_printer_without_status_reads_unknown(real):
    emu, printer = real
    emu.answers = False
    assert printer.status() == UNKNOWN
    printer.write(JOB)   # it still prints
    assert eventually(lambda: emu.job_bytes.endswith(JOB), timeout=3.0)


def test_status_then_job_then_status(real):
    emu, printer = real
    assert printer.status().state == "ok"
    printer.write(JOB)
    emu.status = PrinterStatus("out", "closed", "online")
    assert printer.status().state == "out"
    assert eventually(lambda: emu.job_bytes == JOB, timeout=3.0)


def test_missing_serial_device_is_offline_and_refuses_jobs(tmp_path):
    printer = EscposPrinter.serial(str(tmp_path / "ttyUSB9"), status_timeout_s=0.1)
    status = printer.status()
    assert status.line == "offline" and status.paper == "unknown" and status.blocks_printing
    with pytest.raises(PrinterError):
        printer.write(JOB)


def test_network_printer_not_listening_is_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = EscposPrinter.network("127.0.0.1", port, timeout_s=0.5)
    assert printer.status().line == "offline"
    with pytest.raises(PrinterError):
        printer.write(JOB)


def test_unplugged_usb_printer_is_offline_and_refuses_jobs():
    # no USB printer on a CI machine: vendor/product ids nobody makes
    printer = EscposPrinter.usb(0xFFFE, 0xFFFE, status_timeout_s=0.1)
    status = printer.status()
    assert status.line == "offline" and status.paper == "unknown"
    with pytest.raises(PrinterError) as err:
        printer.write(JOB)
    assert "\n" not in str(err.value)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        EscposPrinter("parallel", object())
