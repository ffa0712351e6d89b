"""Saved Internet Way of Networking assessments and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
PROPOSAL_MAX = 20_000


class Assessment(models.Model):
    """One policy or proposal assessed against the IWN questionnaire.

    Anyone may read it through its share token (an unguessable link); only its owner
    (when it was made signed in) or whoever holds its edit token may change it. The edit
    token itself is never stored: only its SHA-256, so a leaked database grants no edit.
    """

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    proposal = models.TextField(_("policy or proposal assessed"), max_length=PROPOSAL_MAX, blank=True)
    country = models.ForeignKey("pulse.Country", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("jurisdiction"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    questionnaire_version = models.CharField(_("questionnaire version"), max_length=20)
    language = models.CharField(_("language"), max_length=10)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="iwn_assessments", verbose_name=_("owner"))
    share_token = models.CharField(max_length=64, unique=True, editable=False)
    edit_token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("iwn:report", args=[self.share_token])


class AssessmentEvent(models.Model):
    """One change of an assessment: who (when signed in), when, what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        DETAILS = "details", _("details changed")
        ANSWERS = "answers", _("answers changed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    changed = models.JSONField(default=list, blank=True)  # the question keys or fields changed

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
