"""Staff screens for learning. Courses, enrolments and certificates are read-only here:
they change through ``services`` (the authoring pages, the learner's pages, the
certificate's revoke page, ``isoc learning import``), which keep versions and history.
Cohorts are plain configuration (dates and facilitators) and are edited here."""

from django.contrib import admin

from isoc.learning.models import Certificate, Cohort, Course, Enrolment


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(ReadOnly):
    list_display = ("title", "slug", "language", "topic", "level", "status", "published_version", "is_demo")
    list_filter = ("language", "topic", "level", "status", "enrolment", "is_demo")
    search_fields = ("title", "slug")


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "course", "starts_on", "ends_on", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("name", "course__title")
    raw_id_fields = ("facilitators",)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnly):
    list_display = ("person", "course", "cohort", "status", "enrolled_at", "completed_at", "is_demo")
    list_filter = ("status", "course__language", "is_demo")
    search_fields = ("person__email", "person__last_name", "course__title")
    list_select_related = ("person", "course", "cohort")
    show_full_result_count = False


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ("code", "learner_name", "course_title", "issued_at", "revoked_at")
    search_fields = ("code", "learner_name")
