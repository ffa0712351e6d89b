"""Events and conferences, their agenda, and registrations with their history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.events import rules
from isoc.members.countries import COUNTRY_CHOICES, CURRENCY_CHOICES
from isoc.site import l10n


class Event(models.Model):
    """An event or conference: global, regional or run by a chapter; online, in person or
    both. Times are stored in UTC; ``time_zone`` is the event's own zone, shown beside
    the reader's."""

    class Scope(models.TextChoices):
        GLOBAL = "global", pgettext_lazy("scope of an event", "Global")
        REGIONAL = "regional", _("Regional")
        CHAPTER = "chapter", _("Chapter")

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Online and in person")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.GLOBAL)
    chapter = models.ForeignKey("chapters.Chapter", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="events", verbose_name=_("chapter"),
                                help_text=_("The chapter that runs a chapter event."))
    region = models.CharField(_("region"), max_length=100, blank=True,
                              help_text=_("For a regional event: the region it serves."))
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.ONLINE)
    venue = models.CharField(_("venue"), max_length=300, blank=True, help_text=_("Where it happens, for in-person events."))
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    online_url = models.URLField(_("online address"), blank=True,
                                 help_text=_("Where attendees join online; shown to confirmed attendees only."))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC",
                                 help_text=_("The event's own IANA time zone, e.g. Africa/Nairobi."))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Seats; further registrations join the waitlist."))
    members_open_at = models.DateTimeField(
        _("registration opens to members"), help_text=_("The members' priority window starts here."))
    public_open_at = models.DateTimeField(
        _("registration opens to everyone"), help_text=_("The end of the members' priority window."))
    closes_at = models.DateTimeField(_("registration closes"), help_text=_("At the latest when the event starts."))
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
                              validators=[MinValueValidator(Decimal("0.00"))],
                              help_text=_("Zero for a free event. Invoiced through the dues ledger."))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="USD")
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="events_organized",
                                        verbose_name=_("organizers"),
                                        help_text=_("People who may export the attendee list."))
    published = models.BooleanField(pgettext_lazy("an event shown to the public", "published"), default=True)
    # Set only by ``services.cancel_event``, which also records an ``EventChange``.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False, verbose_name=_("cancelled by"))
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    is_demo = models.BooleanField(default=False, editable=False, help_text=_("Generated demo data."))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(members_open_at__lte=models.F("public_open_at"))
                & Q(public_open_at__lte=models.F("closes_at"))
                & Q(closes_at__lte=models.F("starts_at")),
                name="event_registration_window_in_order",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="event_fee_not_negative"),
            models.CheckConstraint(condition=Q(scope="chapter", chapter__isnull=False) | (~Q(scope="chapter") & Q(chapter__isnull=True)),
                                   name="event_chapter_iff_chapter_scope"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    def clean(self) -> None:
        if self.time_zone and not l10n.valid_time_zone(self.time_zone):
            raise ValidationError({"time_zone": _("Not a known time zone; use an IANA name such as Europe/Paris.")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An event must end after it starts.")})
        if self.scope == self.Scope.CHAPTER and not self.chapter_id:
            raise ValidationError({"chapter": _("A chapter event names the chapter that runs it.")})
        if self.scope != self.Scope.CHAPTER and self.chapter_id:
            raise ValidationError({"chapter": _("Only a chapter event is run by a chapter; choose the chapter scope.")})
        times = (self.members_open_at, self.public_open_at, self.closes_at, self.starts_at)
        if all(times) and not (times[0] <= times[1] <= times[2] <= times[3]):
            raise ValidationError(_("Registration must open to members, then to everyone, then close, "
                                    "no later than the start of the event."))

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def status(self) -> str:
        """``scheduled`` or ``cancelled``: what the API and the calendar say of it."""
        return self.Status.CANCELLED if self.is_cancelled else self.Status.SCHEDULED

    @property
    def window(self) -> rules.Window:
        return rules.Window(self.members_open_at, self.public_open_at, self.closes_at)

    def phase(self, at=None) -> rules.Phase:
        if self.cancelled_at is not None:
            return rules.Phase.CLOSED
        return self.window.phase(at or timezone.now())

    @property
    def is_paid(self) -> bool:
        return self.fee > 0

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)

    def seats_taken(self) -> int:
        return self.registrations.filter(state__in=Registration.HOLDS_SEAT).count()

    def waiting(self) -> int:
        return self.registrations.filter(state=Registration.State.WAITLISTED).count()

    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken())


class Session(models.Model):
    """One item of an event's agenda."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room or track"), max_length=100, blank=True)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})
        event = self.event if self.event_id else None
        if event and self.starts_at and self.ends_at and (self.starts_at < event.starts_at or self.ends_at > event.ends_at):
            raise ValidationError(_("A session must take place within its event's dates."))


class Registration(models.Model):
    """One person's registration for one event, from registering until it is cancelled."""

    class State(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")  # holds a seat; the invoice is open
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlisted")  # no seat, no payment taken
        CANCELLED = "cancelled", _("cancelled")

    HOLDS_SEAT = (State.AWAITING_PAYMENT, State.CONFIRMED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_registrations",
                               verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    # The waitlist's order: when the person joined it (ties broken by id).
    waitlisted_at = models.DateTimeField(_("waitlisted at"), null=True, blank=True)
    invoice = models.OneToOneField("members.Invoice", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="event_registration", verbose_name=_("invoice"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], condition=~Q(state="cancelled"),
                                    name="one_live_registration_per_person_and_event"),
        ]
        indexes = [models.Index(fields=["event", "state", "waitlisted_at", "id"], name="registration_queue_idx")]

    def __str__(self) -> str:
        return f"{self.person} for {self.event} ({self.state})"


class RegistrationChange(models.Model):
    """Every change of a registration's state: who, when, from, to, why."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="history",
                                     verbose_name=_("registration"))
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("registration change")
        verbose_name_plural = _("registration changes")

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state} at {self.at:%Y-%m-%d %H:%M}"


class EventFunding(models.Model):
    """Money the Internet Society grants towards an event (e.g. a chapter's meeting). A
    grant is recorded once and never edited; a correction is a new row."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="funding", verbose_name=_("event"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("granted by"))
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)

    class Meta:
        ordering = ["granted_at", "id"]
        verbose_name = _("event funding")
        verbose_name_plural = _("event funding")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="event_funding_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.event}"


class EventChange(models.Model):
    """Every change of an event's own status (scheduled → cancelled): who, when, why."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="history", verbose_name=_("event"))
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event change")
        verbose_name_plural = _("event changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} at {self.at:%Y-%m-%d %H:%M}"


class EventRefund(models.Model):
    """A fee paid for a seat at an event the Internet Society cancelled, owed back to the
    attendee. The dues ledger has no refund operation (a credit note only voids what is
    still due), so the debt is recorded here and listed for the secretariat, who pays it
    back by bank transfer and records the transfer's reference (``services.record_refund``)."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="refund",
                                        verbose_name=_("registration"))
    invoice = models.ForeignKey("members.Invoice", on_delete=models.PROTECT, related_name="event_refunds",
                                verbose_name=_("invoice"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    due_since = models.DateTimeField(_("due since"))
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("refunded by"))
    reference = models.CharField(_("transfer reference"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_since", "id"]
        verbose_name = _("event refund")
        verbose_name_plural = _("event refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="event_refund_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} to {self.registration.person} ({self.invoice.number})"

    @property
    def is_due(self) -> bool:
        return self.refunded_at is None
