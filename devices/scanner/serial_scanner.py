"""A serial scanner (RS-232 or a USB-serial one, /dev/ttyACM0): the code as UTF-8 text
ended by CR/LF, through pyserial."""

from __future__ import annotations

import codecs

from devices.scanner import Scanner


class SerialScanner(Scanner):
    def __init__(self, port: str, baudrate: int = 9600, **kw):
        super().__init__(**kw)
        import serial  # noqa: PLC0415 - the hardware library loads only where it is used

        self._serial = serial.serial_for_url(port, baudrate=baudrate, timeout=0)
        self._decode = codecs.getincrementaldecoder("utf-8")("replace")

    def _chunk(self, timeout: float) -> str:
        port = self._serial
        if not port.is_open:
            raise OSError("scanner port closed")
        port.timeout = timeout
        data = port.read(max(1, port.in_waiting))  # SerialException (an OSError) when gone
        return self._decode.decode(data)

    def close(self) -> None:
        self._serial.close()
        self.error = self.error or "closed"
