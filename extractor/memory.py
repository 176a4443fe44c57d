"""glibc's malloc in migrex's own processes: what one batch freed is kept for the next.

With glibc's adaptive thresholds a process that analyses batch after batch gave its heap back
to the system after a batch and faulted the same pages in again for the next one: on the
bench's short documents, 1.2 million page faults and 3 s of system time in a 25 s run, and in
`--n-process` workers four times the page faults of one process doing the same work. The
console command and the workers call `keep_freed_memory`; a program that uses migrex as a
library keeps its own allocator settings unless it calls it too.
"""

from __future__ import annotations

import ctypes

from .data import load_json

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (<malloc.h>)


def keep_freed_memory() -> bool:
    """Set malloc's thresholds from `models/pipeline.json` ("malloc", bytes): blocks up to
    `mmap_threshold` come from the heap, and up to `trim_threshold` of freed heap is kept.
    Whether glibc took them (False without glibc's mallopt: nothing changes)."""
    settings = load_json("pipeline.json")["malloc"]
    try:
        mallopt = ctypes.CDLL(None).mallopt  # by hand: no maintained package wraps mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, settings["mmap_threshold"])
                and mallopt(M_TRIM_THRESHOLD, settings["trim_threshold"]))
