"""Course folders: import → export → import gives the same course; a malformed folder is
refused with the file and field named, and nothing is stored; the CLI says the same."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from isoc.learning import folder, services
from isoc.learning.models import Course, CourseFile, Lesson

pytestmark = pytest.mark.django_db


def test_read_folder_without_django(smoke_folder):
    spec, files = folder.read_folder(smoke_folder)
    assert spec.slug == "how-packets-travel" and spec.language == "en"
    assert set(files) == {"images/packets.svg", "resources/address-sizes.txt"}
    assert spec.modules[1].quiz.max_attempts == 3


def test_round_trip_import_export_import(course, tmp_path, staff):
    out = services.export_course(course, tmp_path / "exported")
    spec_a, files_a = folder.read_folder(out)
    spec_b, files_b = folder.read_folder(tmp_path / "course")
    assert spec_a.to_json() == spec_b.to_json() and files_a == files_b
    again = services.import_course(out, publish_it=True, actor=staff)
    assert again.pk == course.pk and again.versions.count() == 1  # same content: nothing new published


def _edit(path, mutate):
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda d: d.pop("title"), "course.yaml: title: is required"),
    (lambda d: d.update(topic="cooking"), "course.yaml: topic: must be one of"),
    (lambda d: d.update(language="xx"), "course.yaml: language: must be one of"),
    (lambda d: d.update(slug="Not A Slug"), "course.yaml: slug:"),
    (lambda d: d.update(pass_mark=140), "course.yaml: pass_mark: must be a whole number from 0 to 100"),
    (lambda d: d["modules"][0]["lessons"][1].update(file="lessons/missing.md"),
     "course.yaml: modules[0].lessons[1].file: lessons/missing.md not found"),
    (lambda d: d["modules"][0]["lessons"][0].update(file="../../etc/passwd.md"),
     "course.yaml: modules[0].lessons[0].file: '../../etc/passwd.md' must stay inside the course folder"),
    (lambda d: d["modules"][0]["lessons"][1]["resources"][0].update(file="resources/x.exe"),
     "course.yaml: modules[0].lessons[1].resources[0].file: resources/x.exe: only"),
    (lambda d: d["modules"][1].update(quiz="quizzes/none.yaml"), "quizzes/none.yaml: file not found"),
    (lambda d: d.update(modules=[]), "course.yaml: modules: must be a non-empty list"),
])
def test_malformed_course_yaml_is_refused_naming_file_and_field(smoke_folder, mutate, where):
    _edit(smoke_folder / "course.yaml", mutate)
    with pytest.raises(services.LearningError) as err:
        services.import_course(smoke_folder, publish_it=True)
    assert where in err.value.message
    assert not Course.objects.exists() and not Lesson.objects.exists() and not CourseFile.objects.exists()


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda d: d["questions"][0]["choices"][1].update(correct=True),
     "quizzes/check.yaml: questions[0].choices: a single-choice question has exactly one correct choice"),
    (lambda d: d["questions"][2].pop("accept"), "quizzes/check.yaml: questions[2].accept:"),
    (lambda d: d["questions"][1].update(kind="essay"), "quizzes/check.yaml: questions[1].kind: must be one of"),
    (lambda d: d.update(draw=9), "quizzes/check.yaml: draw: must be a whole number from 1 to 3"),
])
def test_malformed_quiz_is_refused_and_an_existing_course_is_untouched(course, smoke_folder, mutate, where):
    before = course.versions.get().content
    _edit(smoke_folder / "quizzes" / "check.yaml", mutate)
    (smoke_folder / "lessons" / "01-packets.md").write_text("# Changed\n")
    with pytest.raises(services.LearningError) as err:
        services.import_course(smoke_folder, publish_it=True)
    assert where in err.value.message
    course.refresh_from_db()
    assert course.versions.get().content == before
    assert Lesson.objects.get(key="01-packets").body.startswith("# Why data travels")


def test_broken_yaml_names_the_line(smoke_folder):
    (smoke_folder / "course.yaml").write_text("slug: x\ntitle: [unclosed\n")
    with pytest.raises(services.LearningError, match=r"course.yaml: line \d+: not valid YAML"):
        services.import_course(smoke_folder)


def test_cli_import_export_and_report(smoke_folder, tmp_path, monkeypatch):
    from isoc.site.cli import app

    monkeypatch.setattr("isoc.site.cli.setup_django", lambda: None)
    runner = CliRunner()
    result = runner.invoke(app, ["learning", "import", str(smoke_folder), "--publish"])
    assert result.exit_code == 0, result.output
    assert "published as version 1" in result.output
    result = runner.invoke(app, ["learning", "export", "how-packets-travel", str(tmp_path / "out"), "--language", "en"])
    assert result.exit_code == 0 and (tmp_path / "out" / "course.yaml").is_file()
    assert runner.invoke(app, ["learning", "export", "nope", str(tmp_path / "x")]).exit_code == 1
    result = runner.invoke(app, ["learning", "report", "--csv"])
    assert result.exit_code == 0 and result.output.startswith("group,enrolments")
    assert runner.invoke(app, ["learning", "report", "--by", "planet"]).exit_code == 2
    _edit(smoke_folder / "course.yaml", lambda d: d.pop("topic"))
    result = runner.invoke(app, ["learning", "import", str(smoke_folder)])
    assert result.exit_code == 1 and "course.yaml: topic" in result.output


def test_lesson_images_get_their_size_and_load_lazily():
    import struct

    from isoc.learning.render import image_size, lesson_html

    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 640, 480) + b"\x08\x02\x00\x00\x00"
    assert image_size("images/a.png", png) == (640, 480)
    assert image_size("images/b.svg", b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 30"></svg>') == (120, 30)
    assert image_size("images/c.svg", b"not an svg") is None
    html = lesson_html("![A map](images/a.png) <img src=x onerror=alert(1)>", "/f/", {"images/a.png": (640, 480)})
    assert '<img src="/f/images/a.png" width="640" height="480" loading="lazy" alt="A map">' in html
    assert "&lt;img src=x onerror" in html  # the author's raw HTML is shown as text, never run


def test_a_first_heading_repeating_the_lesson_title_is_not_shown_twice():
    from isoc.learning.render import lesson_html

    body = "# The idea of  packet switching\n\nIn the early 1960s…\n\n# Later heading\n"
    html = lesson_html(body, "/f/", title="The idea of packet switching")
    assert "packet switching</h2>" not in html and "<p>In the early 1960s…</p>" in html
    assert "<h2>Later heading</h2>" in html
    # A first heading that is not the title is the author's: kept, under the page's h1.
    assert "<h2>Another title</h2>" in lesson_html("# Another title\n\ntext", "/f/", title="The idea")
