"""Audio out for call announcements: a speaker through pygame.mixer, or WAV files (simulated).

All audio inside hallstack is mono signed 16-bit PCM at :data:`SAMPLE_RATE` held in a numpy
``int16`` array; :mod:`devices.audio.pcm` reads, writes, trims and normalises it.
"""

from devices.audio.base import AudioOut, AudioUnavailable
from devices.audio.pcm import SAMPLE_RATE

__all__ = ["SAMPLE_RATE", "AudioOut", "AudioUnavailable"]
