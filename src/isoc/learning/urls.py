from django.urls import path

from isoc.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("my/", views.dashboard, name="dashboard"),
    path("grading/", views.grading, name="grading"),
    path("grading/<int:pk>/", views.grade, name="grade"),
    path("certificates/verify/", views.verify, name="verify"),
    path("certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/revoke/", views.certificate_revoke, name="revoke"),
    path("reports/", views.reports, name="reports"),
    path("reports.csv", views.reports_csv, name="reports_csv"),
    path("author/", views.author_index, name="author"),
    path("author/<int:pk>/", views.author_course, name="author_course"),
    path("author/<int:pk>/publish/", views.author_publish, name="author_publish"),
    path("author/<int:pk>/move/", views.author_move, name="author_move"),
    path("author/<int:pk>/modules/<int:module>/", views.author_module, name="author_module"),
    path("author/<int:pk>/lessons/<int:lesson>/", views.author_lesson, name="author_lesson"),
    path("author/<int:pk>/preview/<slug:key>/", views.author_preview, name="author_preview"),
    path("<str:language>/<slug:slug>/", views.course, name="course"),
    path("<str:language>/<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("<str:language>/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:language>/<slug:slug>/resume/", views.resume, name="resume"),
    path("<str:language>/<slug:slug>/lessons/<slug:key>/", views.lesson, name="lesson"),
    path("<str:language>/<slug:slug>/quizzes/<slug:key>/", views.quiz_page, name="quiz"),
    path("<str:language>/<slug:slug>/quizzes/<slug:key>/start/", views.quiz_start, name="quiz_start"),
    path("<str:language>/<slug:slug>/quizzes/<slug:key>/attempts/<int:number>/", views.attempt, name="attempt"),
    path("<str:language>/<slug:slug>/quizzes/<slug:key>/attempts/<int:number>/submit/", views.quiz_submit,
         name="quiz_submit"),
    path("<str:language>/<slug:slug>/files/<path:name>", views.file, name="file"),
]
