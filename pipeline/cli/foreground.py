"""Ctrl-C for this command alone, not for the ``make`` that started it."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def own_ctrl_c() -> Iterator[None]:
    """While inside, the terminal's Ctrl-C reaches this process (and its children) only.

    The terminal sends SIGINT to its whole foreground process group, so under
    ``make demo`` make receives it too and reports "Interrupt" as an error
    however cleanly the demo ends.  Moving into a process group of our own and
    making it the terminal's foreground group keeps make out of it; the
    terminal goes back to the previous group on the way out.  Without a
    terminal, or when not in the foreground, nothing changes.
    """
    try:
        fd = sys.stdin.fileno()
        previous = os.tcgetpgrp(fd) if os.isatty(fd) else None
    except (OSError, ValueError):
        previous = None
    if previous is None or previous != os.getpgrp():
        yield
        return
    quiet = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may then hand the terminal back
    try:
        os.setpgid(0, 0)
        os.tcsetpgrp(fd, os.getpgrp())
    except OSError:  # a session leader cannot move: leave the terminal as it is
        signal.signal(signal.SIGTTOU, quiet)
        yield
        return
    try:
        yield
    finally:
        try:
            os.tcsetpgrp(fd, previous)
        except OSError:  # the previous group is gone (make was killed): nothing to hand back to
            pass
        signal.signal(signal.SIGTTOU, quiet)
