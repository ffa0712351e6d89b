"""The learning platform: courses (an editable draft and fixed published versions),
cohorts, enrolments with progress, quiz attempts and verifiable certificates.

Staff edit the draft rows (``Module``, ``Lesson``, ``Quiz``, ``Question``, ``Choice``);
publishing freezes them into a ``CourseVersion`` whose ``content`` is the course as
``isoc.learning.folder`` reads it. Learners only ever see a published version, so an
edit in progress never reaches them, and progress refers to lessons by their stable key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from isoc.learning import folder


class Course(models.Model):
    """One language version of a course. Translations share the slug."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("course status", "Draft")
        PUBLISHED = "published", pgettext_lazy("course status", "Published")

    class Enrolment(models.TextChoices):
        OPEN = "open", _("Open to everyone")
        MEMBERS = "members", _("Members only")
        COHORT = "cohort", _("Cohort only")

    Topic = models.TextChoices("Topic", [(t, t) for t in folder.TOPICS])
    Level = models.TextChoices("Level", [(v, v) for v in folder.LEVELS])

    slug = models.SlugField(_("slug"), max_length=120)
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    topic = models.CharField(_("topic"), max_length=40, choices=Topic.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    estimated_hours = models.PositiveIntegerField(_("estimated hours"), default=1)
    enrolment = models.CharField(_("enrolment"), max_length=10, choices=Enrolment.choices, default=Enrolment.OPEN)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (percent)"), default=70)
    require_all_lessons = models.BooleanField(_("every lesson must be seen"), default=True)
    require_quizzes = models.BooleanField(_("every quiz must be passed"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_version = models.PositiveIntegerField(_("published version"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["title", "language", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [models.UniqueConstraint(fields=["slug", "language"], name="course_slug_language_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def get_absolute_url(self) -> str:
        return reverse("learning:course", args=[self.language, self.slug])

    def current_version(self) -> CourseVersion | None:
        if not self.published_version:
            return None
        return self.versions.filter(number=self.published_version).first()

    def translations(self):
        return Course.objects.filter(slug=self.slug, status=Course.Status.PUBLISHED).exclude(pk=self.pk)


class CourseVersion(models.Model):
    """A published version: the course frozen as a folder spec (JSON), with who published it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["course", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="course_version_unique")]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"


class CourseFile(models.Model):
    """An image or downloadable resource of a course, stored under the data folder by its
    content hash (so every published version keeps the files it refers to)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        RESOURCE = "resource", _("resource")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)  # e.g. "images/map.svg", as the folder names it
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["course", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="course_file_name_unique")]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="module_key_unique")]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    key = models.SlugField(max_length=80)  # stable across versions: progress refers to it
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(default=0)
    body = models.TextField(_("body (Markdown)"), blank=True)
    file = models.CharField(max_length=200, blank=True)  # its name in the course folder
    video = models.URLField(_("video link"), blank=True)

    class Meta:
        ordering = ["module", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200)
    file = models.CharField(max_length=200)  # a CourseFile name
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["lesson", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Quiz(models.Model):
    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="quiz")
    file = models.CharField(max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200)
    pass_mark = models.PositiveSmallIntegerField(null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    draw = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    Kind = models.TextChoices("Kind", [(k, k) for k in folder.QUESTION_KINDS])

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompt = models.TextField()
    explanation = models.TextField(blank=True)
    points = models.PositiveSmallIntegerField(default=1)
    accept = models.JSONField(default=list, blank=True)  # short answers

    class Meta:
        ordering = ["quiz", "order", "id"]

    def __str__(self) -> str:
        return self.prompt[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=500)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Cohort(models.Model):
    """A facilitated run of a course with dates and facilitators."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="cohorts_facilitated")
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="cohort_ends_after_start")]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("enrolment status", "active")
        COMPLETED = "completed", pgettext_lazy("enrolment status", "completed")
        WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "withdrawn")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.CharField(max_length=80, blank=True)  # a lesson key: where "resume" goes
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-enrolled_at", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "course"], name="one_enrolment_per_course")]
        indexes = [models.Index(fields=["course", "status"]), models.Index(fields=["status", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.course} ({self.status})"


class EnrolmentChange(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class LessonView(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="views")
    lesson = models.CharField(max_length=80)  # lesson key
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_seen_once")]

    def __str__(self) -> str:
        return self.lesson


class QuizAttempt(models.Model):
    """One attempt at a module's quiz. The drawn questions (with their answers) are copied
    onto the attempt so grading never depends on later edits, and a reload shows the same
    questions."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        AWAITING_GRADING = "awaiting_grading", _("awaiting grading")
        GRADED = "graded", _("graded")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.CharField(max_length=80)  # the module key
    number = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    questions = models.JSONField()
    answers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    pass_mark = models.PositiveSmallIntegerField()
    points = models.JSONField(default=dict, blank=True)  # question index → points awarded
    feedback = models.JSONField(default=dict, blank=True)  # question index → facilitator's feedback
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # percent
    passed = models.BooleanField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["enrolment", "quiz", "number"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "quiz", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number} ({self.state})"


class Certificate(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=24, unique=True)
    # Fixed at issue: a later change of name or title does not change what was certified.
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at", "id"]

    def __str__(self) -> str:
        return self.code
