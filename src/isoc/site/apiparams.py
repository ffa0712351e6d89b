"""Shapes of query and path values the API accepts, checked before they reach the
database (PostgreSQL refuses NUL bytes; a misshapen value is a 422, not a 500)."""

SLUG = r"^[-a-zA-Z0-9_]*$"
COUNTRY_CODE = r"^[A-Za-z]{0,2}$"
