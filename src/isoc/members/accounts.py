"""Staff accounts and roles (Django groups)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from isoc.members.models import Person

ROLES = ("member", "chapter officer", "staff", "administrator")


class StaffError(Exception):
    pass


@transaction.atomic
def create_staff(email: str, password: str, *, administrator: bool = False, first_name: str = "",
                 last_name: str = "", validate: bool = True) -> tuple[Person, bool]:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise StaffError(f"not an email address: {email!r}") from exc
    person = Person.objects.filter(email=email).first()
    created = person is None
    if person is None:
        person = Person(email=email, first_name=first_name, last_name=last_name)
    if validate:
        try:
            validate_password(password, person)
        except ValidationError as exc:
            raise StaffError("; ".join(exc.messages)) from exc
    person.set_password(password)
    person.is_staff = True
    person.is_superuser = administrator
    person.is_active = True
    person.save()
    person.groups.add(Group.objects.get(name="staff"))
    if administrator:
        person.groups.add(Group.objects.get(name="administrator"))
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=person, email=email, defaults={"verified": True, "primary": True})
    return person, created
