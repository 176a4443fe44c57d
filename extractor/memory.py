"""glibc's malloc in migrex's own processes: what one batch freed is kept for the next.

With glibc's adaptive thresholds a process that analyses batch after batch gave its heap back
to the system after a batch and faulted the same pages in again for the next one: on 2,000
short documents in one process, 1.2 million page faults and 3 s of system time in a 25 s run
(about 17% of its wall time), and in `--n-process` workers four times the page faults of one
process doing the same work (about 9% of the wall time). The console command and the workers
call `keep_freed_memory`; a program that uses migrex as a library keeps its own allocator
settings unless it calls it too. Setting the trim threshold alone is worse: glibc then stops
adapting its mmap threshold, and every array over 128 KiB is mapped afresh.
"""

from __future__ import annotations

import ctypes
import os
from typing import Callable

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (<malloc.h>)
MMAP_THRESHOLD = 32 << 20  # blocks up to this size come from the heap (glibc's adaptive cap)
TRIM_THRESHOLD = 128 << 20  # freed heap kept up to this size: more than a batch's arrays


def glibc_mallopt() -> Callable[[int, int], int] | None:
    """glibc's `mallopt`, or None where the C library is not glibc."""
    try:  # by hand: no maintained package wraps mallopt
        if not os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return None
        return ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, ValueError):  # no confstr (Windows), name or mallopt
        return None


def keep_freed_memory() -> bool:
    """Set malloc's mmap and trim thresholds; whether glibc took them (False elsewhere:
    nothing changes)."""
    mallopt = glibc_mallopt()
    return mallopt is not None and bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                                        and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
