"""Drivers for the vendor peripherals halls already own, behind hallstack's device interfaces.

- :mod:`.ff68_frame`, :mod:`.ff68_keymap`, :mod:`.ff68_bus`, :mod:`.ff68_config` — the
  ``FF 68 … CS 16`` caller/rater bus (docs/legacy-ff68.md); :mod:`.ff68_emulator` emulates units.
- :mod:`.bx_frame`, :mod:`.bx_commands`, :mod:`.bx_screen` — Onbon BX-5/6 LED controllers
  (``A5 … 5A``, docs/legacy-bx.md); :mod:`.bx_emulator` emulates a controller.
- :mod:`.sniff` — ``python -m firmware_bridge.legacy.sniff --port /dev/ttyUSB0``: print the
  decoded frames on a line, for a technician on site.

Nothing here imports MQTT, the hub or a node.
"""
