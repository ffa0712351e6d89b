"""Trust tests: the API's one error shape (as tests/members checks it) and fast passwords."""

from __future__ import annotations

import pytest


def error_shape(body: dict) -> None:
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["errors"], list), body
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, error


@pytest.fixture
def assert_error_shape():
    return error_shape


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
