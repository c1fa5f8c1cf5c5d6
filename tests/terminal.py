"""Reading what a process wrote to a pseudo-terminal, for the tests that need a real one."""

from __future__ import annotations

import os
import select


def read_terminal(primary: int, timeout: float = 30) -> bytes:
    """Everything written to the terminal whose primary side is ``primary``, until the
    process closes it (or nothing comes for ``timeout`` seconds)."""
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([primary], [], [], timeout)
        if not ready:
            break
        try:
            data = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)
