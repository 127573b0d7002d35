"""RS-485 peripherals with their own MCUs: hallstack's Modbus RTU bus, emulator and flashing.

- :mod:`firmware_bridge.registers` — the register map (docs/register-map.md in code).
- :mod:`firmware_bridge.rtu` — Modbus RTU frames: CRC, PDUs, the frame hunter.
- :mod:`firmware_bridge.link` — one serial line, one request/reply at a time, with counters.
- :mod:`firmware_bridge.bus` — the bus master: a polling thread per bus.
- :mod:`firmware_bridge.modbus_devices` — ``KeyPad`` and ``WindowScreen`` backends on the bus.
- :mod:`firmware_bridge.emulator` — the peripherals' firmware, emulated on a pseudo-terminal.
- :mod:`firmware_bridge.image` / :mod:`firmware_bridge.flash` — firmware images and updates.
- :mod:`firmware_bridge.flash_cli` — ``hall-flash``'s scan, device, keygen and image.

Nothing here imports MQTT, the hub or a node (import-linter checks it).
"""
