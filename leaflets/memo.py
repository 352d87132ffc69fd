"""Memos that keep the most recently used entries: a dict whose order is the order of use, the least
recently used first, so that the first key is the one to let go."""

from __future__ import annotations


def recent(memo: dict, key):
    """What ``memo`` keeps under ``key`` (None when nothing), made the most recent.  An unhashable key
    raises TypeError, as a dict does."""
    value = memo.pop(key, None)
    if value is not None:
        memo[key] = value
    return value


def keep(memo: dict, key, value, size: int) -> None:
    """``value`` kept under ``key`` as the most recent, ``memo`` holding at most ``size`` entries (the least
    recently used go first)."""
    memo.pop(key, None)
    while memo and len(memo) >= size:
        del memo[next(iter(memo))]
    memo[key] = value
