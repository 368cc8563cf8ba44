"""Write Hylla's two scan sounds (stdlib only): ``python resources/sounds/make_sounds.py``.

success.wav: two short rising tones, as a till says "got it".
problem.wav: two low buzzes, unmistakably different even in a noisy warehouse.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
HERE = Path(__file__).resolve().parent


def _tone(freq: float, ms: int, volume: float, square: bool = False) -> list[float]:
    count = RATE * ms // 1000
    fade = min(count // 4, RATE * 8 // 1000)  # 8 ms ramps: no clicks
    samples = []
    for i in range(count):
        phase = math.sin(2 * math.pi * freq * i / RATE)
        value = (1.0 if phase >= 0 else -1.0) * 0.6 if square else phase
        ramp = min(1.0, i / fade, (count - 1 - i) / fade) if fade else 1.0
        samples.append(value * volume * ramp)
    return samples


def _silence(ms: int) -> list[float]:
    return [0.0] * (RATE * ms // 1000)


def write(path: Path, samples: list[float]) -> None:
    """Write mono 16-bit PCM."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


def main() -> None:
    write(HERE / "success.wav", _tone(1046.5, 70, 0.5) + _tone(1568.0, 110, 0.5))
    write(
        HERE / "problem.wav",
        _tone(196.0, 180, 0.55, square=True) + _silence(70) + _tone(196.0, 260, 0.55, square=True),
    )


if __name__ == "__main__":
    main()
