"""Geometry of the server-rendered SVG charts (no JavaScript, no CDN). Pure functions.

Coordinates are returned as strings with a dot: templates localise floats ("61,5" in
French), which SVG reads as a list of numbers.
"""

from collections.abc import Sequence
from typing import Any

WIDTH, HEIGHT, MARGIN = 640, 220, 30


def _n(value: float) -> str:
    return f"{value:.1f}"


def bars(
    labels: Sequence[str], values: Sequence[float | None], shown: Sequence[str] | None = None
) -> dict[str, Any]:
    """Vertical bars scaled to the largest value; None is drawn as no bar.

    `shown` is the text written above each bar (defaults to the value itself).
    """
    top = max([v for v in values if v is not None] or [0]) or 1
    slot = (WIDTH - 2 * MARGIN) / max(1, len(values))
    items = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = 0.0 if value is None else (HEIGHT - 2 * MARGIN) * value / top
        items.append(
            {
                "label": label,
                "value": value,
                "shown": shown[index] if shown else ("—" if value is None else str(value)),
                "x": _n(MARGIN + index * slot + slot * 0.15),
                "width": _n(slot * 0.7),
                "y": _n(HEIGHT - MARGIN - height),
                "height": _n(height),
                "cx": _n(MARGIN + index * slot + slot / 2),
                "ty": _n(HEIGHT - MARGIN - height - 4),
            }
        )
    return {"width": WIDTH, "height": HEIGHT, "base": HEIGHT - MARGIN, "bars": items}


def lines(series: dict[str, Sequence[float]], width: int = WIDTH, height: int = HEIGHT) -> dict:
    """Polylines sharing one vertical scale; points as an SVG `points` string."""
    longest = max((len(v) for v in series.values()), default=0)
    top = max((max(v) for v in series.values() if v), default=0) or 1
    step = (width - 2 * MARGIN) / max(1, longest - 1)
    out = {}
    for name, values in series.items():
        points = [
            f"{MARGIN + i * step:.1f},{height - MARGIN - (height - 2 * MARGIN) * v / top:.1f}"
            for i, v in enumerate(values)
        ]
        out[name] = " ".join(points)
    return {"width": width, "height": height, "base": height - MARGIN, "top": top, "lines": out}


def sparkline(values: Sequence[float | None], width: int = 160, height: int = 40) -> str:
    """An SVG points string for small trends; gaps (None) are drawn at 0."""
    if not values:
        return ""
    step = width / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * (v or 0):.1f}" for i, v in enumerate(values)
    )
