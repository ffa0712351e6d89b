"""The registration rules as plain functions (no Django import): who may register when,
and whether a new registration gets a seat or a place on the waitlist."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Phase(enum.StrEnum):
    NOT_YET_OPEN = "not_yet_open"  # before the members' priority window
    MEMBERS_ONLY = "members_only"  # the priority window: active members only
    OPEN = "open"  # everyone
    CLOSED = "closed"  # registration closed (or the event has begun)


@dataclass(frozen=True)
class Window:
    """When registration opens to members, to everyone, and when it closes (UTC)."""

    members_open_at: datetime
    public_open_at: datetime
    closes_at: datetime

    def __post_init__(self) -> None:
        if not (self.members_open_at <= self.public_open_at <= self.closes_at):
            raise ValueError("registration must open to members, then to everyone, then close, in that order")

    def phase(self, at: datetime) -> Phase:
        if at < self.members_open_at:
            return Phase.NOT_YET_OPEN
        if at >= self.closes_at:
            return Phase.CLOSED
        if at < self.public_open_at:
            return Phase.MEMBERS_ONLY
        return Phase.OPEN


class Placement(enum.StrEnum):
    SEAT = "seat"
    WAITLIST = "waitlist"


def place(capacity: int, seats_taken: int, waiting: int) -> Placement:
    """A new registration takes a seat only while seats are free and nobody is already
    waiting for one (the waitlist is first come, first served)."""
    if capacity < 0 or seats_taken < 0 or waiting < 0:
        raise ValueError("counts cannot be negative")
    return Placement.SEAT if seats_taken < capacity and waiting == 0 else Placement.WAITLIST


def promotions(capacity: int, seats_taken: int, waiting: int) -> int:
    """How many people at the head of the waitlist get a seat now."""
    return max(0, min(capacity - seats_taken, waiting))
