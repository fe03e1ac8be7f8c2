"""Hand freed memory back to the system after a large request.

A 200,000-character text allocates hundreds of megabytes of activations in short-lived tensors.
glibc's malloc keeps what they free in its arenas for reuse, and its mmap threshold climbs with
each large free, so the server's resident size kept the peak of every large request it had seen
(728 MB after the first 200k-character request, 1,003 MB after the seventh: issue #24).
``malloc_trim`` returns the free pages of every arena; it costs milliseconds against seconds of inference.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

# Texts shorter than this allocate little; trimming after each would only cost time.
TRIM_AFTER_CHARS = 20_000


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def release_after(characters: int) -> bool:
    """Return freed heap memory to the system if ``characters`` of text were just processed; say whether it did."""
    trim = _malloc_trim()
    if trim is None or characters < TRIM_AFTER_CHARS:
        return False
    trim(0)
    return True
