"""Domain operations of Pulse that change state: seeding countries, and the review of
stories (submit → approve → publish, withdraw). Each public function is one transaction
and checks its own rules; views, the admin, the API and the CLI call these."""

from __future__ import annotations

from isoc.pulse.seed import seed_countries

__all__ = ["seed_countries"]
