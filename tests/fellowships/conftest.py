"""Fixtures for the fellowships tests: an open call of the seeded Next Generation Leaders
programme with a small form and rubric, applicants, reviewers and a chartered chapter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import count

import pytest
from tests.chapters.conftest import T0, fill, forming, live, new_person, t0  # noqa: F401 (fixtures)
from tests.conftest import make_person

_emails = count(1)

FORM = [
    {"name": "motivation", "label": "Why this programme?", "kind": "long_text", "required": True, "max_length": 2000},
    {"name": "sector", "label": "Sector", "kind": "choice", "choices": ["civil society", "government", "business",
                                                                         "academia"], "required": True},
    {"name": "languages", "label": "Languages", "kind": "multiple_choice", "choices": ["en", "fr", "es"]},
    {"name": "available_from", "label": "Available from", "kind": "date"},
    {"name": "hours", "label": "Hours a week", "kind": "number", "min": 1, "max": 40, "integer": True},
    {"name": "cv", "label": "CV", "kind": "file", "required": True, "allowed_types": ["pdf", "txt"],
     "max_size": 10_000},
]
RUBRIC = [{"key": "motivation", "label": "Motivation", "weight": 2, "max": 5},
          {"key": "impact", "label": "Impact", "weight": 1, "max": 5}]


@pytest.fixture
def programme(db):
    from isoc.fellowships.models import Programme
    from isoc.fellowships.seed import seed

    seed()
    return Programme.objects.get(slug="next-generation-leaders")


@pytest.fixture
def open_track(programme):
    """A track with no rules (anyone may apply)."""
    return programme.tracks.create(slug="open", name="Open")


@pytest.fixture
def call(programme):
    from django.utils import timezone

    from isoc.fellowships.models import Call

    now = timezone.now()
    return Call.objects.create(programme=programme, slug="ngl-test", year=now.year, title="NGL test call",
                               opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=10),
                               time_zone="Europe/Zurich", status=Call.Status.PUBLISHED, form=FORM, rubric=RUBRIC,
                               blind_review=True, disagreement_threshold=1.5, places=2,
                               targets={"region": {"africa": 1, "europe": 1}, "gender": {"woman": 1}})


@pytest.fixture
def someone(db) -> Callable:
    def make(**fields):
        n = next(_emails)
        fields.setdefault("first_name", f"Fellow{n}")
        fields.setdefault("last_name", f"Applicant{n}")
        return make_person(f"fellow{n}@example.net", **fields)

    return make


@pytest.fixture
def applicant(someone):
    return someone(first_name="Wanjiru", last_name="Kamau", country="KE")


ANSWERS = {"motivation": "I run a community network in my village.", "sector": "civil society",
           "languages": ["en", "fr"], "available_from": "2030-01-01", "hours": "5"}


class Upload:
    """An uploaded file as Django hands it to a view (name, size, read, chunks, seek)."""

    def __init__(self, name: str, content: bytes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.file = SimpleUploadedFile(name, content)

    def __getattr__(self, item):
        return getattr(self.file, item)


def pdf(text: str = "CV") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


@pytest.fixture
def draft(call, open_track, applicant):
    """A complete draft by ``applicant`` (KE, born 2000), CV uploaded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from isoc.fellowships import services as fs

    app = fs.save_draft(call, applicant, track=open_track,
                        profile=fs.Profile(birth_date=date(2000, 5, 1), country="KE", gender="woman"), answers=ANSWERS)
    fs.upload_document(app, "cv", SimpleUploadedFile("wanjiru-kamau-cv.pdf", pdf()), actor=applicant)
    return app


@pytest.fixture
def submitted(draft, applicant):
    from isoc.fellowships import services as fs

    return fs.submit(draft, actor=applicant)


@pytest.fixture
def course(db, tmp_path, staff):
    """The learning platform's small course, imported and published through its services."""
    import shutil

    from tests.learning.conftest import SMOKE

    from isoc.learning import services as learning

    shutil.copytree(SMOKE, tmp_path / "course")
    return learning.import_course(tmp_path / "course", publish_it=True, actor=staff)
