"""Pagination shared by every API list: ``?page=`` and ``?page_size=`` (at most 500),
answering ``{"items": [...], "count": N}``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class Page(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(50, ge=1, le=500)

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {"items": queryset[offset : offset + pagination.page_size], "count": self._items_count(queryset)}


class LazyRows:
    """A queryset the paginator slices, turned into output rows only for the page that
    is returned (not for every matching object)."""

    def __init__(self, queryset, rows: Callable[[Any], Sequence[dict]]):
        self.queryset = queryset
        self.rows = rows

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> Sequence[dict]:
        return self.rows(self.queryset[page])
