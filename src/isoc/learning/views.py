"""Learning pages: the catalog, a course, lessons, quizzes and their results, the
learner's dashboard, certificates and their public verification, the facilitators'
grading queue, and the secretariat's authoring and report pages. Every change goes
through ``services``; every form is a plain POST (htmx is not needed)."""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.learning import folder, forms, queries, quiz, services
from isoc.learning.models import (
    Certificate,
    Cohort,
    Course,
    CourseFile,
    Enrolment,
    Lesson,
    Module,
    QuizAttempt,
)
from isoc.learning.render import lesson_html


def _course(request, language: str, slug: str) -> Course:
    course = get_object_or_404(Course, slug=slug, language=language)
    if course.status != Course.Status.PUBLISHED and not request.user.is_staff:
        raise Http404
    return course


def _spec(course: Course) -> folder.CourseSpec:
    spec = services.published_spec(course)
    if spec is None:
        raise Http404
    return spec


def catalog(request):
    language = request.GET.get("language", "")
    topic = request.GET.get("topic", "")
    level = request.GET.get("level", "")
    courses = queries.catalog(language=language, topic=topic, level=level)
    page = Paginator(courses, 20).get_page(request.GET.get("page"))
    return render(request, "learning/catalog.html", {
        "page": page, "language": language, "topic": topic, "level": level,
        "languages": queries.LANGUAGE_CHOICES, "topics": queries.TOPIC_CHOICES, "levels": queries.LEVEL_CHOICES,
        "query": queries.filter_query(language, topic, level),
    })


def course(request, language: str, slug: str):
    course = _course(request, language, slug)
    spec = services.published_spec(course)
    enrolment = services.enrolment_of(request.user, course)
    progress = services.progress_of(enrolment, spec) if enrolment and spec else None
    cohorts = list(course.cohorts.filter(ends_on__gte=date.today()).prefetch_related("facilitators"))
    refusal = (services.enrolment_refusal(request.user, course, cohorts[0] if cohorts and course.enrolment == "cohort"
                                          else None)
               if request.user.is_authenticated and not enrolment else None)
    return render(request, "learning/course.html", {
        "course": course, "spec": spec, "enrolment": enrolment, "progress": progress, "cohorts": cohorts,
        "refusal": refusal, "translations": course.translations(),
        "seen": set(enrolment.views.values_list("lesson", flat=True)) if enrolment else set(),
        "certificate": getattr(enrolment, "certificate", None) if enrolment else None,
    })


@login_required
@require_POST
def enrol(request, language: str, slug: str):
    course = _course(request, language, slug)
    cohort = None
    if request.POST.get("cohort"):
        try:
            cohort = Cohort.objects.get(pk=int(request.POST["cohort"]), course=course)
        except (Cohort.DoesNotExist, ValueError):
            messages.error(request, _("Choose one of this course's cohorts."))
            return redirect(course.get_absolute_url())
    try:
        services.enrol(request.user, course, cohort=cohort, actor=request.user)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.get_absolute_url())


@login_required
@require_POST
def withdraw(request, language: str, slug: str):
    course = _course(request, language, slug)
    enrolment = services.enrolment_of(request.user, course)
    if enrolment is None:
        messages.error(request, _("You are not enrolled in this course."))
    else:
        try:
            services.withdraw(enrolment, actor=request.user, reason="withdrawn by the learner")
        except services.LearningError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You have withdrawn. Your progress is kept if you enrol again."))
    return redirect(course.get_absolute_url())


def _live_enrolment(request, course: Course) -> Enrolment | None:
    enrolment = services.enrolment_of(request.user, course)
    return enrolment if enrolment and enrolment.status != Enrolment.Status.WITHDRAWN else None


@login_required
def resume(request, language: str, slug: str):
    course = _course(request, language, slug)
    enrolment = _live_enrolment(request, course)
    if enrolment is None:
        return redirect(course.get_absolute_url())
    key = services.resume_lesson(enrolment, _spec(course))
    return redirect("learning:lesson", language=language, slug=slug, key=key)


def _neighbours(spec: folder.CourseSpec, key: str):
    flat = [(m, lesson) for m in spec.modules for lesson in m.lessons]
    keys = [lesson.key for _m, lesson in flat]
    if key not in keys:
        raise Http404
    i = keys.index(key)
    module, lesson = flat[i]
    previous = flat[i - 1][1] if i > 0 else None
    following = flat[i + 1][1] if i + 1 < len(flat) else None
    quiz_after = module if module.quiz is not None and module.lessons[-1].key == key else None
    return module, lesson, previous, following, quiz_after


def _render_lesson(request, course: Course, spec, key: str, *, preview: bool, enrolment=None):
    module, lesson, previous, following, quiz_after = _neighbours(spec, key)
    return render(request, "learning/lesson.html", {
        "course": course, "spec": spec, "module": module, "lesson": lesson, "previous": previous,
        "following": following, "quiz_after": quiz_after, "preview": preview, "enrolment": enrolment,
        "html": lesson_html(lesson.body, reverse("learning:file", args=[course.language, course.slug, "x"])[:-1],
                            services.image_sizes(course), title=lesson.title),
        "progress": services.progress_of(enrolment, spec) if enrolment else None,
    })


@login_required
def lesson(request, language: str, slug: str, key: str):
    course = _course(request, language, slug)
    spec = _spec(course)
    enrolment = _live_enrolment(request, course)
    if enrolment is None:
        if request.user.is_staff:
            return _render_lesson(request, course, spec, key, preview=True)
        messages.info(request, _("Enrol in the course to read its lessons."))
        return redirect(course.get_absolute_url())
    _neighbours(spec, key)  # 404 before recording anything
    certificate = services.record_lesson_seen(enrolment, key)
    if certificate is not None and enrolment.status == Enrolment.Status.ACTIVE:
        messages.success(request, _("You have completed the course. Your certificate is ready."))
    enrolment.refresh_from_db()
    return _render_lesson(request, course, spec, key, preview=False, enrolment=enrolment)


def file(request, language: str, slug: str, name: str):
    course = _course(request, language, slug)
    f = get_object_or_404(CourseFile, course=course, name=name)
    path = services.file_path(f)
    if not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=f.content_type)
    if f.kind == CourseFile.Kind.RESOURCE:
        response["Content-Disposition"] = f'attachment; filename="{name.rsplit("/", 1)[-1]}"'
    # An author's SVG is shown as an image, never as a document that could run script.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


# --- quizzes ------------------------------------------------------------------------------------


def _quiz_context(request, course, spec, key, enrolment):
    q = services.quiz_of(spec, key) if key in dict(spec.quizzes()) else None
    if q is None:
        raise Http404
    attempts = list(enrolment.attempts.filter(quiz=key).order_by("number"))
    current = next((a for a in attempts if a.state == QuizAttempt.State.IN_PROGRESS), None)
    return {"course": course, "spec": spec, "quiz": q, "key": key, "enrolment": enrolment,
            "module": next(m for m in spec.modules if m.key == key), "attempts": attempts, "current": current,
            "questions": [quiz.public_view(x) for x in current.questions] if current else [],
            "left": services.attempts_left(enrolment, key, q), "answers": {}, "error": None, "bad": None}


@login_required
def quiz_page(request, language: str, slug: str, key: str):
    course = _course(request, language, slug)
    spec = _spec(course)
    enrolment = _live_enrolment(request, course)
    if enrolment is None:
        messages.info(request, _("Enrol in the course to take its quizzes."))
        return redirect(course.get_absolute_url())
    return render(request, "learning/quiz.html", _quiz_context(request, course, spec, key, enrolment))


@login_required
@require_POST
def quiz_start(request, language: str, slug: str, key: str):
    course = _course(request, language, slug)
    enrolment = _live_enrolment(request, course)
    if enrolment is None:
        return redirect(course.get_absolute_url())
    try:
        services.start_attempt(enrolment, key)
    except services.LearningError as exc:
        if exc.code == "no_quiz":
            raise Http404 from None
        messages.error(request, exc.message)
    return redirect("learning:quiz", language=language, slug=slug, key=key)


def _answers_from(post, count: int) -> dict:
    """The form's answers: ``q<i>`` holds one value (single, short, open) or several
    (multiple). Anything else in the form is ignored; the grader checks the values."""
    out = {}
    for i in range(count):
        values = post.getlist(f"q{i}")
        if values:
            out[str(i)] = values if len(values) > 1 or post.get(f"kind{i}") == "multiple" else values[0]
    return out


@login_required
@require_POST
def quiz_submit(request, language: str, slug: str, key: str, number: int):
    course = _course(request, language, slug)
    spec = _spec(course)
    enrolment = _live_enrolment(request, course)
    if enrolment is None:
        return redirect(course.get_absolute_url())
    attempt = get_object_or_404(QuizAttempt, enrolment=enrolment, quiz=key, number=number)
    answers = _answers_from(request.POST, len(attempt.questions))
    try:
        attempt = services.submit_attempt(attempt, answers, actor=request.user)
    except services.LearningError as exc:
        if exc.code == "submitted":
            return redirect("learning:attempt", language=language, slug=slug, key=key, number=number)
        context = _quiz_context(request, course, spec, key, enrolment)
        bad = int(exc.field[1:]) if exc.field and exc.field[1:].isdigit() else None
        shown = {int(k): v for k, v in answers.items() if isinstance(v, str)}
        context.update(error=exc.message, bad=bad, answers=shown)
        return render(request, "learning/quiz.html", context, status=400)
    enrolment.refresh_from_db()
    if enrolment.status == Enrolment.Status.COMPLETED and hasattr(enrolment, "certificate"):
        messages.success(request, _("You have completed the course. Your certificate is ready."))
    return redirect("learning:attempt", language=language, slug=slug, key=key, number=number)


def _review(attempt: QuizAttempt) -> list[dict]:
    rows = []
    for i, q in enumerate(attempt.questions):
        answer = attempt.answers.get(str(i))
        if q["kind"] in ("single", "multiple"):
            shown = [q["choices"][k]["text"] for k in (answer or [])]
            right = [c["text"] for c in q["choices"] if c["correct"]]
        else:
            shown = [answer] if answer else []
            right = q.get("accept", [])[:1]
        rows.append({"index": i, "q": q, "answer": shown, "right": right,
                     "points": attempt.points.get(str(i)), "max": q.get("points", 1),
                     "feedback": attempt.feedback.get(str(i), "")})
    return rows


@login_required
def attempt(request, language: str, slug: str, key: str, number: int):
    course = _course(request, language, slug)
    enrolment = services.enrolment_of(request.user, course)
    attempt = get_object_or_404(QuizAttempt, enrolment=enrolment, quiz=key, number=number) if enrolment else None
    if attempt is None or attempt.state == QuizAttempt.State.IN_PROGRESS:
        raise Http404
    return render(request, "learning/attempt.html", {
        "course": course, "attempt": attempt, "rows": _review(attempt), "key": key,
        "certificate": getattr(enrolment, "certificate", None),
    })


# --- dashboard and certificates -------------------------------------------------------------


@login_required
def dashboard(request):
    rows = []
    for enrolment in queries.enrolments_of(request.user):
        spec = services.published_spec(enrolment.course)
        if spec is None:
            continue
        rows.append({"enrolment": enrolment, "course": enrolment.course, "progress": services.progress_of(enrolment, spec),
                     "resume": services.resume_lesson(enrolment, spec),
                     "certificate": getattr(enrolment, "certificate", None)})
    return render(request, "learning/dashboard.html", {"rows": rows})


def _certificate_for(request, code: str) -> Certificate:
    certificate = Certificate.objects.select_related("enrolment__course").filter(code=code).first()
    if certificate is None or not (request.user.is_staff or certificate.enrolment.person_id == request.user.pk):
        raise Http404  # not 403: say nothing of a code to someone else
    return certificate


@login_required
def certificate_pdf(request, code: str):
    from isoc.learning.pdf import certificate_pdf as render_pdf

    certificate = _certificate_for(request, code)
    if certificate.revoked_at is not None and not request.user.is_staff:
        raise Http404
    response = HttpResponse(render_pdf(certificate, request.build_absolute_uri(
        reverse("learning:verify") + "?code=" + certificate.code)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def verify(request):
    code = request.GET.get("code", "").strip()[:64]
    result = services.verify(code) if code else None
    return render(request, "learning/verify.html", {"code": code, "result": result})


@login_required
def certificate_revoke(request, code: str):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only the secretariat can revoke a certificate."))
    certificate = _certificate_for(request, code)
    form = forms.RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.revoke_certificate(certificate, actor=request.user, reason=form.cleaned_data["reason"])
            except services.LearningError as exc:
                form.add_error("reason" if exc.field == "reason" else None, exc.message)
                status = 409
            else:
                messages.success(request, _("The certificate is revoked."))
                return redirect("learning:revoke", code=certificate.code)
        else:
            status = 400
    return render(request, "learning/revoke.html", {"certificate": certificate, "form": form}, status=status)


# --- facilitators ----------------------------------------------------------------------------


def _may_facilitate(person) -> bool:
    return person.is_staff or Cohort.objects.filter(facilitators=person).exists()


@login_required
def grading(request):
    if not _may_facilitate(request.user):
        raise PermissionDenied(_("Only facilitators and the secretariat grade quizzes."))
    page = Paginator(services.grading_queue(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "learning/grading.html", {"page": page})


@login_required
def grade(request, pk: int):
    attempt = get_object_or_404(QuizAttempt.objects.select_related("enrolment__course", "enrolment__person"), pk=pk)
    if not services.may_grade(request.user, attempt):
        raise PermissionDenied(_("Only the learner's facilitators or the secretariat can grade this."))
    error, field, status = None, None, 200
    if request.method == "POST":
        points = {str(i): request.POST.get(f"points_{i}", "") for i, q in enumerate(attempt.questions)
                  if q["kind"] == "open"}
        feedback = {str(i): request.POST.get(f"feedback_{i}", "") for i in range(len(attempt.questions))}
        try:
            services.grade_attempt(attempt, actor=request.user, points=points, feedback=feedback)
        except services.LearningError as exc:
            error, field = exc.message, exc.field
            status = 403 if exc.code == "forbidden" else 409 if exc.code == "not_awaiting" else 400
        else:
            messages.success(request, _("The attempt is graded; the learner can see the result."))
            return redirect("learning:grading")
    return render(request, "learning/grade.html", {
        "attempt": attempt, "rows": _review(attempt), "error": error, "field": field, "post": request.POST,
    }, status=status)


# --- reports (staff) -------------------------------------------------------------------------


def _staff(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only the secretariat can see this."))


@login_required
def reports(request):
    _staff(request)
    by = request.GET.get("by", "course")
    if by not in queries.REPORT_DIMENSIONS:
        by = "course"
    return render(request, "learning/reports.html", {
        "by": by, "rows": queries.report(by), "dimensions": queries.REPORT_DIMENSIONS,
        "trained": services.learners_trained(),
    })


@login_required
def reports_csv(request):
    _staff(request)
    by = request.GET.get("by", "course")
    if by not in queries.REPORT_DIMENSIONS:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="learning-report-by-{by}.csv"'
    writer = csv.writer(response)
    writer.writerow(queries.REPORT_COLUMNS)
    for row in queries.report(by):
        writer.writerow([queries.csv_cell(row[c]) for c in queries.REPORT_COLUMNS])
    return response


# --- authoring (staff) ----------------------------------------------------------------------


@login_required
def author_index(request):
    _staff(request)
    form = forms.CourseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                course = services.create_course(actor=request.user, **form.cleaned_data)
            except services.LearningError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 409
            else:
                messages.success(request, _("The course is created as a draft. Add its modules and lessons."))
                return redirect("learning:author_course", pk=course.pk)
        else:
            status = 400
    courses = Course.objects.order_by("slug", "language")
    return render(request, "learning/author_index.html", {"courses": courses, "form": form}, status=status)


def _authored(request, pk: int) -> Course:
    _staff(request)
    return get_object_or_404(Course, pk=pk)


def _author_page(request, course, *, module_form=None, publish_form=None, status=200):
    return render(request, "learning/author_course.html", {
        "course": course, "modules": course.modules.prefetch_related("lessons"),
        "module_form": module_form or forms.ModuleForm(), "publish_form": publish_form or forms.PublishForm(),
        "versions": course.versions.select_related("published_by").order_by("-number"),
    }, status=status)


@login_required
def author_course(request, pk: int):
    course = _authored(request, pk)
    if request.method != "POST":
        return _author_page(request, course)
    form = forms.ModuleForm(request.POST)
    if not form.is_valid():
        return _author_page(request, course, module_form=form, status=400)
    try:
        services.save_module(course, actor=request.user, title=form.cleaned_data["title"])
    except services.LearningError as exc:
        form.add_error("title", exc.message)
        return _author_page(request, course, module_form=form, status=409)
    messages.success(request, _("The module is added."))
    return redirect("learning:author_course", pk=course.pk)


@login_required
@require_POST
def author_publish(request, pk: int):
    course = _authored(request, pk)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        return _author_page(request, course, publish_form=form, status=400)
    try:
        version = services.publish(course, actor=request.user, note=form.cleaned_data["note"])
    except services.LearningError as exc:
        form.add_error(None, exc.message)
        return _author_page(request, course, publish_form=form, status=409)
    messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
    return redirect("learning:author_course", pk=course.pk)


@login_required
@require_POST
def author_move(request, pk: int):
    course = _authored(request, pk)
    kind, delta = request.POST.get("kind"), -1 if request.POST.get("direction") == "up" else 1
    try:
        item = int(request.POST.get("item", ""))
    except ValueError:
        raise Http404 from None
    try:
        if kind == "module":
            ids = list(course.modules.values_list("pk", flat=True))
            services.reorder_modules(course, services.moved(ids, item, delta), actor=request.user)
        else:
            lesson = get_object_or_404(Lesson, pk=item, module__course=course)
            ids = list(lesson.module.lessons.values_list("pk", flat=True))
            services.reorder_lessons(lesson.module, services.moved(ids, item, delta), actor=request.user)
    except services.LearningError as exc:
        messages.error(request, exc.message)
    return redirect("learning:author_course", pk=course.pk)


@login_required
def author_module(request, pk: int, module: int):
    course = _authored(request, pk)
    module = get_object_or_404(Module, pk=module, course=course)
    rename = forms.ModuleForm(request.POST if request.POST.get("action") == "rename" else None,
                              initial={"title": module.title})
    add = forms.LessonForm(request.POST if request.POST.get("action") == "add" else None)
    status = 200
    if request.method == "POST":
        form = rename if request.POST.get("action") == "rename" else add
        if form.is_valid():
            try:
                if form is rename:
                    services.save_module(course, actor=request.user, title=form.cleaned_data["title"], module=module)
                else:
                    services.save_lesson(module, actor=request.user, **form.cleaned_data)
            except services.LearningError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 409
            else:
                messages.success(request, _("Saved."))
                return redirect("learning:author_module", pk=course.pk, module=module.pk)
        else:
            status = 400
    return render(request, "learning/author_module.html", {"course": course, "module": module, "rename": rename,
                                                           "add": add}, status=status)


@login_required
def author_lesson(request, pk: int, lesson: int):
    course = _authored(request, pk)
    lesson = get_object_or_404(Lesson, pk=lesson, module__course=course)
    form = forms.LessonForm(request.POST or None, initial={"title": lesson.title, "body": lesson.body,
                                                            "video": lesson.video})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_lesson(lesson.module, actor=request.user, lesson=lesson, **form.cleaned_data)
            except services.LearningError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 409
            else:
                messages.success(request, _("Saved."))
                return redirect("learning:author_lesson", pk=course.pk, lesson=lesson.pk)
        else:
            status = 400
    return render(request, "learning/author_lesson.html", {"course": course, "lesson": lesson, "form": form},
                  status=status)


@login_required
def author_preview(request, pk: int, key: str):
    """The draft as a learner will see it once published (nothing is recorded)."""
    course = _authored(request, pk)
    return _render_lesson(request, course, services.draft_spec(course), key, preview=True)
