"""Giving freed memory back to the system. glibc keeps what is freed, fragmented: torch's
activations during an ingest and the vector index copies that reopening a local Chroma index
drops, so a long-running process grows by them without this."""

from __future__ import annotations

import ctypes


def _glibc() -> ctypes.CDLL | None:
    try:
        library = ctypes.CDLL("libc.so.6")
        return library if hasattr(library, "malloc_trim") else None
    except OSError:  # not glibc (musl, macOS): nothing to trim
        return None


_GLIBC = _glibc()


def release_freed_memory() -> None:
    if _GLIBC is not None:
        _GLIBC.malloc_trim(0)
