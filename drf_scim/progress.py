"""Progress of a long management command: done/total, rate and ETA on one terminal line.

On a terminal the line is rewritten in place (a carriage return), at most every ``interval``
seconds whatever the number of steps; it is erased before the summary. Anywhere else
(CI, a log file, a pipe) nothing is written but the summary, so logs hold one line per
phase. ``enabled`` forces either behaviour (the commands' ``--progress/--no-progress``).
No dependency: the standard library's ``time`` is all it needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import OutputWrapper

__all__ = ["Progress", "format_duration"]


def format_duration(seconds: float) -> str:
    """``seconds`` as ``H:MM:SS`` (``0:00:07``, ``1:02:03``)."""
    minutes, second = divmod(max(0, round(seconds)), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}"


class Progress:
    """One phase of a command (``"Backfilling user records"``): ``advance()``, then ``finish()``.

    ``stream`` is a command's ``self.stdout`` (or any text stream). ``total`` may be
    ``None`` when unknown: the line then shows the count and rate without an ETA.
    ``enabled`` is ``None`` to draw only when ``stream`` is a terminal. ``clock`` is
    there for tests. Override :meth:`line` to change what the line says.
    """

    #: The least time between two redraws, in seconds: at most four a second.
    interval = 0.25

    def __init__(
        self,
        stream: Any,
        label: str,
        total: int | None = None,
        *,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.enabled = is_terminal(stream) if enabled is None else enabled
        self.clock = clock
        self.done = 0
        self.started = clock()
        self.drawn_at: float | None = None
        self.width = 0

    def advance(self, count: int = 1) -> None:
        """``count`` more steps done; redraw if ``interval`` has passed since the last time."""
        self.done += count
        if not self.enabled:
            return
        now = self.clock()
        if self.drawn_at is not None and now - self.drawn_at < self.interval:
            return
        self.drawn_at = now
        text = self.line(now - self.started)
        self.write("\r" + text.ljust(self.width))
        self.width = len(text)

    def line(self, elapsed: float) -> str:
        """What the terminal shows after ``elapsed`` seconds."""
        rate = self.done / elapsed if elapsed > 0 else 0.0
        parts = [f"{self.label}: {self.done:,}"]
        if self.total is not None:
            parts[0] += f"/{self.total:,}"
            if self.total:
                parts.append(f"({min(100, 100 * self.done // self.total)}%)")
        parts.append(f"{rate:,.0f}/s")
        if self.total is not None and rate > 0:
            parts.append(f"ETA {format_duration(max(0, self.total - self.done) / rate)}")
        return " ".join(parts)

    def finish(self, summary: str) -> None:
        """Erase the progress line, if one was drawn, and write ``summary`` on a line."""
        if self.width:
            self.write("\r" + " " * self.width + "\r")
            self.width = 0
        self.write(summary + "\n")

    def write(self, text: str) -> None:
        # A command's OutputWrapper ends every write with a newline unless told otherwise.
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal (false for files, pipes and CI logs)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())
