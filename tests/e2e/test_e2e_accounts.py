"""Signing in as people notice it: throttling, password reset by mail, the keyboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from e2e_ui import PASSWORD, make_person, sign_in, submit_login
from playwright.sync_api import expect

WRONG = "not-my-password-at-all"
LOCKOUT_HEADING = "Too many failed sign-in attempts"


@pytest.mark.e2e
def test_repeated_wrong_passwords_lock_the_account_until_cool_off(page, new_page, settings):
    make_person("target@example.org", first_name="Tara", last_name="Get")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    page.goto("/accounts/login/")
    for _ in range(limit - 1):
        submit_login(page, "target@example.org", WRONG)
        expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
        expect(page.get_by_role("heading", name=LOCKOUT_HEADING)).to_have_count(0)

    # The limit-th wrong password locks it, and so does every attempt after.
    submit_login(page, "target@example.org", WRONG)
    expect(page.get_by_role("heading", name=LOCKOUT_HEADING)).to_be_visible()
    expect(page.get_by_text("paused for 15 minutes")).to_be_visible()
    page.goto("/accounts/login/")
    submit_login(page, "target@example.org", WRONG)
    expect(page.get_by_role("heading", name=LOCKOUT_HEADING)).to_be_visible()

    # Even the right password is refused while locked, and nobody is signed in.
    page.goto("/accounts/login/")
    submit_login(page, "target@example.org", PASSWORD)
    expect(page.get_by_role("heading", name=LOCKOUT_HEADING)).to_be_visible()
    page.goto("/members/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/members/$"))

    # The lockout is for this address only: someone else signs in from the same machine.
    make_person("bystander@example.org", first_name="By", last_name="Stander")
    sign_in(new_page(), "bystander@example.org")

    # The lockout page offers a way out.
    page.goto("/accounts/login/")
    submit_login(page, "target@example.org", PASSWORD)
    page.get_by_role("link", name="Reset your password").click()
    expect(page.get_by_role("heading", name="Password Reset")).to_be_visible()

    # After the cool-off (15 minutes, simulated by ageing the recorded failures) the right
    # password works again.
    from axes.models import AccessAttempt
    from django.utils import timezone

    aged = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    assert AccessAttempt.objects.filter(username="target@example.org").update(attempt_time=aged) == 1
    sign_in(page, "target@example.org", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Tara Get")).to_be_visible()


@pytest.mark.e2e
def test_password_reset_through_the_emailed_link(page, mailbox):
    make_person("forgetful@example.org", first_name="Fay", last_name="Forget")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("forgetful@example.org")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("We have sent you an email")).to_be_visible()

    link = mailbox.link("forgetful@example.org", "/accounts/password/reset/key/")
    page.goto(link)
    new = "Otter-compass-5521"
    page.get_by_label(re.compile(r"^New Password:?$")).fill(new)
    page.get_by_label(re.compile(r"^New Password \(again\):?$")).fill(new)
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()

    # The link was used up.
    page.goto(link)
    expect(page.get_by_text(re.compile("password reset link was invalid", re.I))).to_be_visible()

    # The old password no longer works; the new one does.
    page.goto("/accounts/login/")
    submit_login(page, "forgetful@example.org", PASSWORD)
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    sign_in(page, "forgetful@example.org", new)
    expect(page.get_by_role("heading", name="Welcome, Fay Forget")).to_be_visible()


@pytest.mark.e2e
def test_nobody_learns_whether_an_address_has_an_account(page, mailbox):
    """Asking to reset the password of an unknown address looks exactly the same."""
    page.goto("/accounts/password/reset/")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("We have sent you an email")).to_be_visible()
    assert all("password/reset/key/" not in mailbox.body(m) for m in mailbox.messages())


@pytest.mark.e2e
def test_sign_in_with_the_keyboard_only(page):
    make_person("keys@example.org", first_name="Kay", last_name="Board")
    page.goto("/accounts/login/")

    # The first Tab reaches the "Skip to content" link, which becomes visible.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    # From the main content, Tab on until the email field has focus.
    email = page.get_by_label("Email")
    for _ in range(10):
        page.keyboard.press("Tab")
        if email.evaluate("el => el === document.activeElement"):
            break
    expect(email).to_be_focused()
    page.keyboard.type("keys@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(page.get_by_role("heading", name="Welcome, Kay Board")).to_be_visible()
