"""Site security: the Content-Security-Policy, two-factor authentication for staff,
rate limits, and the access rules of every URL (see the README's Security section)."""
