"""People, individual and organization memberships, and the dues ledger."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from isoc.members import status as core
from isoc.members.countries import COUNTRY_CHOICES, CURRENCY_CHOICES
from isoc.site.translatable import Translatable

ZERO = Decimal("0.00")

# Fields a member may choose to show in the directory (name is always the key).
DIRECTORY_FIELDS = ("country", "city", "organization", "bio", "website")


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> Person:
        if not email:
            raise ValueError("an email address is required")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_user(self, email: str, password: str | None = None, **extra) -> Person:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> Person:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Person(AbstractUser):
    """A person with an account: member, chapter officer, staff or administrator."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    bio = models.TextField(_("about you"), max_length=2000, blank=True)
    website = models.URLField(_("website"), blank=True)
    directory_listed = models.BooleanField(_("list me in the member directory"), default=False)
    # What a listed member shows besides their name; each a column so filters can
    # respect it (a hidden country must not be findable by the country filter).
    show_country = models.BooleanField(_("show my country"), default=False)
    show_city = models.BooleanField(_("show my city"), default=False)
    show_organization = models.BooleanField(_("show my organization"), default=False)
    show_bio = models.BooleanField(_("show my bio"), default=False)
    show_website = models.BooleanField(_("show my website"), default=False)
    preferred_language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False, help_text=_("Generated demo data."))

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["directory_listed", "country"]),
            # The directory (see bench/RESULTS.md): listed people in name order, so a page
            # reads 50 entries instead of sorting every listed member; and in id order,
            # narrower, so counting them reads the membership indexes in order.
            models.Index(fields=["last_name", "first_name", "id", "country", "show_country", "erased_at", "is_active"],
                         condition=Q(directory_listed=True), name="person_directory_name_idx"),
            models.Index(fields=["id", "country", "show_country", "erased_at", "is_active"],
                         condition=Q(directory_listed=True), name="person_directory_id_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    def visible_directory_fields(self) -> list[str]:
        return [f for f in DIRECTORY_FIELDS if getattr(self, f"show_{f}")]

    def set_directory_fields(self, fields: list[str]) -> None:
        for f in DIRECTORY_FIELDS:
            setattr(self, f"show_{f}", f in fields)

    def current_membership(self) -> IndividualMembership | None:
        return self.memberships.filter(closed_at__isnull=True).first()


class DuesRate(models.Model):
    """The annual dues of the sustaining category; staff edit it, history is kept by
    adding a new rate with a later ``effective_from``."""

    category = models.CharField(max_length=20, default=core.Category.SUSTAINING, editable=False)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    effective_from = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from"]
        get_latest_by = "effective_from"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} from {self.effective_from:%Y-%m-%d}"

    @classmethod
    def current(cls, at: datetime | None = None) -> DuesRate:
        """The rate in force at ``at`` (default: now)."""
        rate = cls.objects.filter(effective_from__lte=at or timezone.now()).first()
        if rate is None:
            raise ValidationError(_("No sustaining dues rate is set; staff must set one."))
        return rate


# --- the dues ledger -------------------------------------------------------------------


class AppendOnly(models.Model):
    """Ledger entries are never changed or deleted: corrections are new entries."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Ledger entries cannot be changed; record a correction."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries cannot be deleted; record a correction."))


class DocumentSequence(models.Model):
    """The last number given in one series and year; locked while a number is taken, so
    numbers are consecutive without gaps even under concurrent writers."""

    series = models.CharField(max_length=4)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_sequence_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: last {self.last}"


class Invoice(AppendOnly):
    number = models.CharField(max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    organization = models.ForeignKey(
        "members.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organization__isnull=True)
                | Q(person__isnull=True, organization__isnull=False),
                name="invoice_has_one_payer",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.amount} {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("members:receipt", args=[self.number])

    @property
    def payer_name(self) -> str:
        return self.person.display_name if self.person_id else self.organization.legal_name  # type: ignore[union-attr]

    def paid_total(self) -> Decimal:
        return self.payments.aggregate(s=Sum("amount"))["s"] or ZERO

    def credited_total(self) -> Decimal:
        return self.credit_notes.aggregate(s=Sum("amount"))["s"] or ZERO

    def balance(self) -> Decimal:
        return self.amount - self.paid_total() - self.credited_total()

    @property
    def state(self) -> str:
        paid, credited = self.paid_total(), self.credited_total()
        if paid >= self.amount:
            return "paid"
        if paid + credited >= self.amount:
            return "void" if paid == 0 else "settled"
        return "open"

    @property
    def is_paid(self) -> bool:
        return self.state == "paid"


class Payment(AppendOnly):
    number = models.CharField(max_length=20, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    received_at = models.DateTimeField(default=timezone.now)
    provider = models.CharField(max_length=40)
    reference = models.CharField(max_length=200, help_text=_("Bank or provider reference."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.number} {self.amount} {self.currency} for {self.invoice_id}"


class CreditNote(AppendOnly):
    """Reduces what an invoice asks for: a void, a refund or a correction."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    issued_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_amount_positive")]

    def __str__(self) -> str:
        return f"{self.number} {self.amount} {self.currency} on {self.invoice_id}"


# --- individual membership -------------------------------------------------------------


class IndividualMembership(models.Model):
    """One person's membership, from joining until it lapses or is cancelled. Its
    category can change over time (upgrade, downgrade): that lives in its terms."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set when the membership stops being the person's current one (lapsed or cancelled);
    # at most one membership per person has it empty.
    closed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(closed_at__isnull=True), name="one_current_membership_per_person"
            )
        ]
        # Covers the "active member at t" test (queries.active_members) without reading rows.
        indexes = [models.Index(fields=["person", "created_at", "cancelled_at"], name="membership_person_dates_idx")]

    def __str__(self) -> str:
        return f"membership #{self.pk} of {self.person}"

    def term_facts(self) -> list[core.TermFacts]:
        return [t.facts() for t in self.terms.all()]

    def standing(self, at: datetime | None = None) -> core.Standing | None:
        return core.standing_at(
            self.term_facts(),
            at or timezone.now(),
            created_at=self.created_at,
            cancelled_at=self.cancelled_at,
        )

    def status(self, at: datetime | None = None) -> core.Status | None:
        standing = self.standing(at)
        return standing.status if standing else None

    def pending_terms(self):
        return self.terms.filter(starts_at__isnull=True, voided_at__isnull=True)


class MembershipTerm(models.Model):
    """A period of membership in one category. A paid term gets its dates when its
    invoice is paid; a global term is free and open-ended until changed."""

    membership = models.ForeignKey(IndividualMembership, on_delete=models.CASCADE, related_name="terms")
    category = models.CharField(max_length=20, choices=[(c.value, c.value.title()) for c in core.Category])
    starts_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    invoice = models.OneToOneField(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="term")
    created_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        # Covers the "term in force at t" test (queries.active_members) without reading rows.
        indexes = [models.Index(fields=["membership", "starts_at", "ends_at"], name="term_membership_dates_idx")]

    def __str__(self) -> str:
        return f"{self.category} term of membership #{self.membership_id}"

    def facts(self) -> core.TermFacts:
        return core.TermFacts(self.category, self.starts_at, self.ends_at)


class MembershipEvent(models.Model):
    """Every change to a membership, with who made it and why."""

    membership = models.ForeignKey(IndividualMembership, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on membership #{self.membership_id} at {self.at:%Y-%m-%d %H:%M}"


class RenewalReminder(models.Model):
    """A reminder queued for a paid term ``days_before`` its end; unique so the lapse
    job can run any number of times and queue each reminder once."""

    term = models.ForeignKey(MembershipTerm, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "days_before"], name="one_reminder_per_term_and_day")]

    def __str__(self) -> str:
        return f"reminder {self.days_before} days before the end of term #{self.term_id}"


# --- organization membership -----------------------------------------------------------


class OrganizationTier(Translatable):
    """The six organization tiers. Staff rename them and change fees; ``rank`` orders
    them (1 = lowest)."""

    translatable = ("name", "description")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(unique=True)
    annual_fee = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-rank"]

    def __str__(self) -> str:
        return self.name


class Organization(Translatable):
    translatable = ("description",)
    legal_name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    country = models.CharField(max_length=2, choices=COUNTRY_CHOICES)
    website = models.URLField(blank=True)
    tier = models.ForeignKey(OrganizationTier, on_delete=models.PROTECT, related_name="organizations")
    description = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)
    contacts = models.ManyToManyField(Person, through="OrganizationContact", related_name="organizations_managed")

    class Meta:
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name

    def get_absolute_url(self) -> str:
        return reverse("members:organization", args=[self.slug])

    def standing(self, at: datetime | None = None) -> core.Standing | None:
        return core.standing_at(
            [t.facts() for t in self.terms.all()],
            at or timezone.now(),
            created_at=self.created_at,
            cancelled_at=self.cancelled_at,
        )


class OrganizationContact(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    role = models.CharField(max_length=100, default="Primary contact")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "person"], name="one_contact_row")]

    def __str__(self) -> str:
        return f"{self.person} for {self.organization}"


class OrganizationTerm(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="terms")
    tier = models.ForeignKey(OrganizationTier, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="organization_term")
    created_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.tier} term of {self.organization}"

    def facts(self) -> core.TermFacts:
        return core.TermFacts(self.tier.slug if self.tier_id else "", self.starts_at, self.ends_at)


class OrganizationEvent(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=30)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.organization} at {self.at:%Y-%m-%d %H:%M}"


# --- API tokens ------------------------------------------------------------------------


class ApiToken(models.Model):
    """A token for scripts. Only a SHA-256 of the key is stored; the key is shown once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Erasure(models.Model):
    """That a person's data was erased: who asked (the person themselves or staff) and
    when, never what was erased. ``person`` is the pseudonymised account that remains."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="erasure")
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"erasure of person {self.person_id} at {self.at:%Y-%m-%d}"
