"""A progress bar for the terminal (make maps): one line redrawn in place on a terminal, plain lines
otherwise (a log file gets one line per finished map, not a thousand carriage returns)."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, total: int, stream: TextIO = sys.stderr):
        self.total, self.stream, self.started = total, stream, time.monotonic()
        self.interactive = stream.isatty()

    def line(self, done: int, percent: int, label: str) -> str:
        fraction = (done + percent / 100) / self.total if self.total else 1.0
        filled = round(WIDTH * fraction)
        elapsed = time.monotonic() - self.started
        return f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{self.total} {fraction:4.0%} {elapsed:5.0f} s  {label}"

    def update(self, done: int, percent: int, label: str) -> None:
        if self.interactive:
            columns = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + self.line(done, percent, label)[: columns - 1].ljust(columns - 1))
            self.stream.flush()

    def finished_one(self, done: int, label: str) -> None:
        if self.interactive:
            self.update(done, 0, label)
        else:
            self.stream.write(self.line(done, 0, label) + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
