"""Personal data of the account itself and of the members app (see
isoc.site.personal_data): the profile, memberships and the dues ledger (exported by
``services.export_person``), and the account's traces in the libraries the site uses:
email addresses (allauth), sign-in records (axes), sessions, the admin's change log.

Erasure here removes the account's addresses, organisation contacts, API tokens,
sign-in records and sessions; ``services.erase_person`` then cancels the membership,
voids what is still owed and pseudonymises the profile. The dues ledger (invoices,
payments, credit notes) and the membership it pays for stay, pointing at the pseudonym:
accounting law requires financial records to be kept for years, and the ledger must
still balance."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from isoc.members import models as m
from isoc.site.personal_data import anonymise, delete, detach, not_personal

# The section's name in the export: this module holds the account's own traces.
SECTION = "account"

_LEDGER = "kept, linked to the pseudonym: financial records must be kept by law and the ledger must balance"

COVERS = {
    "members.Person": anonymise("the account stays as a pseudonym (Erased member N) so kept records point somewhere; "
                                "it cannot sign in"),
    "members.Invoice": anonymise(_LEDGER),
    "members.Payment": detach("recorded_by", why="part of the ledger, with the bank's reference (kept for the "
                              "accounts); the payer is the invoice's"),
    "members.CreditNote": detach("issued_by", why="part of the ledger"),
    "members.IndividualMembership": anonymise(_LEDGER + " (its terms are what the invoices paid for); cancelled"),
    "members.MembershipEvent": detach("actor", why="the membership's history (who changed it)"),
    "members.OrganizationTier": not_personal("a tier of organisation membership"),
    "members.Organization": detach("contacts", why="an organisation member; its contacts are people"),
    "members.OrganizationContact": delete(),
    "members.OrganizationEvent": detach("actor"),
    "members.ApiToken": delete(),
    "members.Erasure": anonymise("the record that an erasure happened: who asked (the person, or staff) and when, "
                                 "never what"),
    "admin.LogEntry": anonymise("kept: the audit trail of what staff changed in the admin; entries naming the "
                                "person in their object's description are renamed, their own point at the pseudonym"),
    "auth.Group": not_personal("a role (staff groups)"),
    "auth.Permission": not_personal("a permission"),
    "contenttypes.ContentType": not_personal("a model's name"),
    "account.EmailAddress": delete(),
    "account.EmailConfirmation": delete(why="goes with its address"),
    "axes.AccessAttempt": delete(why="matched by the account's address"),
    "axes.AccessLog": delete(why="matched by the account's address"),
    "axes.AccessFailureLog": delete(why="matched by the account's address"),
    "sessions.Session": delete(why="the account's sessions, found by the user id inside them"),
    "mfa.Authenticator": delete(why="a staff member's second factor (TOTP secret, recovery codes): useless without the account"),
}


def _at(value):
    return value.isoformat() if value else None


def _sessions(person):
    """Live sessions of the person (a session row holds the user id only in its data)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            yield session


def export(person) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessFailureLog, AccessLog

    return {
        "email_addresses": [{"email": a.email, "primary": a.primary, "verified": a.verified}
                            for a in EmailAddress.objects.filter(user=person).order_by("pk")],
        "sign_ins": [{"at": _at(log.attempt_time), "ip_address": log.ip_address, "user_agent": log.user_agent,
                      "signed_out_at": _at(log.logout_time)}
                     for log in AccessLog.objects.filter(username__iexact=person.email).order_by("attempt_time")],
        "failed_sign_ins": [{"at": _at(log.attempt_time), "ip_address": log.ip_address}
                            for log in AccessFailureLog.objects.filter(username__iexact=person.email)
                            .order_by("attempt_time")],
        "sessions": [{"expires_at": _at(s.expire_date)} for s in _sessions(person)],
        # Which second factors exist and when they were set up and last used: never their secrets.
        "second_factors": [{"type": a.type, "created_at": _at(a.created_at), "last_used_at": _at(a.last_used_at)}
                           for a in Authenticator.objects.filter(user=person).order_by("pk")],
        "organization_contacts": [{"organization": c.organization.legal_name, "role": c.role}
                                  for c in m.OrganizationContact.objects.filter(person=person)
                                  .select_related("organization").order_by("pk")],
    }


def _rename_in_admin_log(person) -> int:
    """The admin's change log describes each object by its ``str()`` at the time, which
    for a person, their registration or membership holds their name or address."""
    from django.contrib.admin.models import LogEntry
    from django.db.models import Q

    names = Q(object_repr__icontains=person.email)
    if person.first_name or person.last_name:
        names |= Q(object_repr__icontains=f"{person.first_name} {person.last_name}".strip())
    return LogEntry.objects.filter(names).update(object_repr=f"[erased member {person.pk}]")


def erase(person, actor) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    addresses = [person.email, *EmailAddress.objects.filter(user=person).values_list("email", flat=True)]
    sign_ins = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        for address in set(a.lower() for a in addresses):
            sign_ins += model.objects.filter(username__iexact=address).delete()[0]
    log_entries = _rename_in_admin_log(person)
    emails, _ = EmailAddress.objects.filter(user=person).delete()
    contacts, _ = m.OrganizationContact.objects.filter(person=person).delete()
    tokens, _ = person.api_tokens.all().delete()
    second_factors, _ = Authenticator.objects.filter(user=person).delete()
    sessions = 0
    for session in list(_sessions(person)):
        session.delete()
        sessions += 1
    return {"email_addresses_deleted": emails, "sign_in_records_deleted": sign_ins,
            "organization_contacts_deleted": contacts, "api_tokens_deleted": tokens, "second_factors_deleted": second_factors, "sessions_ended": sessions,
            "admin_log_entries_renamed": log_entries}
