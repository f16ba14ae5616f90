"""Fan-out of queue changes to connected boards (placeholder until the push channel lands)."""

from __future__ import annotations


def publish(centre_id: int, version: int) -> None:
    """Deliver (centre_id, version) to every listener of the centre."""
