"""Read and write a course folder (Markdown + YAML, so that authors keep courses in git).

The format is documented in the README ("Course folders"). ``read_folder`` checks
everything before anything is stored and raises ``FolderError`` naming the file and the
field; ``write_folder`` writes the same format back, so import → export → import gives the
same course. No Django here: the services store what this returns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

TOPICS = ("internet-history", "internet-governance", "network-operations", "online-security",
          "community-networks", "internet-measurement")
LEVELS = ("beginner", "intermediate", "advanced")
ENROLMENT = ("open", "members", "cohort")
QUESTION_KINDS = ("single", "multiple", "short", "open")
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
RESOURCE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
MAX_FILE_BYTES = 5 * 1024 * 1024
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FolderError(ValueError):
    """A course folder is malformed: ``file`` and ``field`` say where."""

    def __init__(self, file: str, field: str, message: str):
        self.file, self.field, self.message = file, field, message
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")


@dataclass
class ResourceSpec:
    title: str
    file: str


@dataclass
class LessonSpec:
    key: str
    title: str
    file: str
    body: str
    video: str = ""
    resources: list[ResourceSpec] = field(default_factory=list)


@dataclass
class QuizSpec:
    file: str
    title: str
    questions: list[dict]
    pass_mark: int | None = None
    max_attempts: int | None = None
    draw: int | None = None


@dataclass
class ModuleSpec:
    key: str
    title: str
    lessons: list[LessonSpec]
    quiz: QuizSpec | None = None


@dataclass
class CourseSpec:
    slug: str
    language: str
    title: str
    summary: str
    topic: str
    level: str
    estimated_hours: int
    version: int
    enrolment: str
    pass_mark: int
    modules: list[ModuleSpec]
    completion: dict = field(default_factory=lambda: {"lessons": True, "quizzes": True})

    def to_json(self) -> dict:
        return asdict(self)

    def lessons(self) -> list[LessonSpec]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def quizzes(self) -> list[tuple[str, QuizSpec]]:
        return [(m.key, m.quiz) for m in self.modules if m.quiz is not None]


def from_json(data: dict) -> CourseSpec:
    """A ``CourseSpec`` back from ``to_json`` (a published version's content)."""
    modules = []
    for m in data["modules"]:
        lessons = [LessonSpec(**{**lesson, "resources": [ResourceSpec(**r) for r in lesson.get("resources", [])]})
                   for lesson in m["lessons"]]
        quiz = QuizSpec(**m["quiz"]) if m.get("quiz") else None
        modules.append(ModuleSpec(key=m["key"], title=m["title"], lessons=lessons, quiz=quiz))
    return CourseSpec(**{**data, "modules": modules})


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


# --- reading ------------------------------------------------------------------------------


def _yaml(root: Path, name: str) -> Any:
    path = _inside(root, name, "course.yaml" if name != "course.yaml" else "", "file")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FolderError(name, "", "file not found") from None
    except UnicodeDecodeError:
        raise FolderError(name, "", "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise FolderError(name, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None


def _inside(root: Path, name: Any, referrer: str, fld: str) -> Path:
    """``name`` as a path inside the folder; refuses absolute paths and ``..``."""
    if not isinstance(name, str) or not name.strip():
        raise FolderError(referrer or name, fld, "must be a relative file name")
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise FolderError(referrer, fld, f"{name!r} must stay inside the course folder")
    return root.joinpath(*pure.parts)


def _text(data: dict, key: str, file: str, where: str, *, required: bool = True, max_len: int = 200) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise FolderError(file, f"{where}{key}", "is required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise FolderError(file, f"{where}{key}", "must be text")
    value = str(value).strip()
    if len(value) > max_len:
        raise FolderError(file, f"{where}{key}", f"is longer than {max_len} characters")
    return value


def _int(data: dict, key: str, file: str, where: str, *, lo: int, hi: int, default: int | None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise FolderError(file, f"{where}{key}", f"must be a whole number from {lo} to {hi}")
    return value


def _choice(data: dict, key: str, file: str, allowed, where: str = "") -> str:
    value = data.get(key)
    if value not in allowed:
        raise FolderError(file, f"{where}{key}", f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


def read_folder(path: str | Path, *, languages: tuple[str, ...] | None = None) -> tuple[CourseSpec, dict[str, bytes]]:
    """Read a course folder: the course and its files (name → bytes, for images and
    resources). Raises ``FolderError`` at the first problem."""
    root = Path(path)
    if not root.is_dir():
        raise FolderError(str(path), "", "not a folder")
    data = _yaml(root, "course.yaml")
    if not isinstance(data, dict):
        raise FolderError("course.yaml", "", "must be a mapping of fields")
    f = "course.yaml"
    slug = _text(data, "slug", f, "", max_len=120)
    if not SLUG_RE.match(slug):
        raise FolderError(f, "slug", "lowercase letters, digits and hyphens only")
    language = _text(data, "language", f, "", max_len=10)
    if languages is not None and language not in languages:
        raise FolderError(f, "language", f"must be one of {', '.join(languages)} (got {language!r})")
    completion = data.get("completion", {"lessons": True, "quizzes": True})
    if not isinstance(completion, dict) or not all(isinstance(completion.get(k, True), bool) for k in ("lessons", "quizzes")):
        raise FolderError(f, "completion", "must be {lessons: true|false, quizzes: true|false}")
    files: dict[str, bytes] = {}
    course = CourseSpec(
        slug=slug, language=language, title=_text(data, "title", f, ""), summary=_text(data, "summary", f, "",
                                                                                         required=False, max_len=2000),
        topic=_choice(data, "topic", f, TOPICS), level=_choice(data, "level", f, LEVELS),
        estimated_hours=_int(data, "estimated_hours", f, "", lo=0, hi=1000, default=1),
        version=_int(data, "version", f, "", lo=0, hi=100000, default=1),
        enrolment=_choice({"enrolment": data.get("enrolment", "open")}, "enrolment", f, ENROLMENT),
        pass_mark=_int(data, "pass_mark", f, "", lo=0, hi=100, default=70),
        completion={"lessons": completion.get("lessons", True), "quizzes": completion.get("quizzes", True)},
        modules=[],
    )
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        raise FolderError(f, "modules", "must be a non-empty list")
    lesson_keys: set[str] = set()
    module_keys: set[str] = set()
    for i, m in enumerate(modules):
        where = f"modules[{i}]."
        if not isinstance(m, dict):
            raise FolderError(f, f"modules[{i}]", "must be a mapping")
        title = _text(m, "title", f, where)
        key = slugify(title)
        while key in module_keys:
            key += "-2"
        module_keys.add(key)
        lessons = m.get("lessons")
        if not isinstance(lessons, list) or not lessons:
            raise FolderError(f, f"{where}lessons", "must be a non-empty list")
        module = ModuleSpec(key=key, title=title, lessons=[])
        for j, lesson in enumerate(lessons):
            module.lessons.append(_lesson(root, lesson, f"{where}lessons[{j}].", lesson_keys, files))
        if m.get("quiz") is not None:
            module.quiz = _quiz(root, m["quiz"], f"{where}quiz")
        course.modules.append(module)
    return course, files


def _lesson(root: Path, data: Any, where: str, keys: set[str], files: dict[str, bytes]) -> LessonSpec:
    f = "course.yaml"
    if not isinstance(data, dict):
        raise FolderError(f, where.rstrip("."), "must be a mapping")
    name = _text(data, "file", f, where)
    if not name.endswith(".md"):
        raise FolderError(f, f"{where}file", "a lesson is a Markdown file (.md)")
    path = _inside(root, name, f, f"{where}file")
    try:
        body = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FolderError(f, f"{where}file", f"{name} not found") from None
    except UnicodeDecodeError:
        raise FolderError(name, "", "not UTF-8 text") from None
    key = slugify(PurePosixPath(name).stem)
    if key in keys:
        raise FolderError(f, f"{where}file", f"{name} is used by two lessons")
    keys.add(key)
    video = _text(data, "video", f, where, required=False, max_len=500)
    if video and not re.match(r"^https?://", video):
        raise FolderError(f, f"{where}video", "must be an http(s) address")
    for image in re.findall(r"\]\((images/[^)\s]+)", body):
        _store(root, image, name, "image", IMAGE_TYPES, files)
    resources = []
    for k, r in enumerate(data.get("resources") or []):
        rwhere = f"{where}resources[{k}]."
        if not isinstance(r, dict):
            raise FolderError(f, rwhere.rstrip("."), "must be a mapping")
        rname = _text(r, "file", f, rwhere)
        _store(root, rname, f, f"{rwhere}file", RESOURCE_TYPES, files)
        resources.append(ResourceSpec(title=_text(r, "title", f, rwhere), file=rname))
    return LessonSpec(key=key, title=_text(data, "title", f, where), file=name, body=body, video=video,
                      resources=resources)


def _store(root: Path, name: str, referrer: str, fld: str, types: dict[str, str], files: dict[str, bytes]) -> None:
    path = _inside(root, name, referrer, fld)
    if PurePosixPath(name).suffix.lower() not in types:
        raise FolderError(referrer, fld, f"{name}: only {', '.join(sorted(types))} files are accepted")
    if not path.is_file():
        raise FolderError(referrer, fld, f"{name} not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FolderError(referrer, fld, f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    files[name] = path.read_bytes()


def _quiz(root: Path, name: Any, where: str) -> QuizSpec:
    _inside(root, name, "course.yaml", where)
    if not str(name).endswith((".yaml", ".yml")):
        raise FolderError("course.yaml", where, "a quiz is a YAML file")
    data = _yaml(root, name)
    if not isinstance(data, dict):
        raise FolderError(name, "", "must be a mapping of fields")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise FolderError(name, "questions", "must be a non-empty list")
    parsed = [check_question(q, name, f"questions[{i}].") for i, q in enumerate(questions)]
    draw = _int(data, "draw", name, "", lo=1, hi=len(parsed), default=None)
    return QuizSpec(file=name, title=_text(data, "title", name, ""), questions=parsed,
                    pass_mark=_int(data, "pass_mark", name, "", lo=0, hi=100, default=None),
                    max_attempts=_int(data, "max_attempts", name, "", lo=1, hi=100, default=None), draw=draw)


def check_question(q: Any, file: str, where: str) -> dict:
    """One question of a bank as plain data, checked (also used by the authoring pages)."""
    if not isinstance(q, dict):
        raise FolderError(file, where.rstrip("."), "must be a mapping")
    kind = _choice(q, "kind", file, QUESTION_KINDS, where)
    out: dict[str, Any] = {"kind": kind, "prompt": _text(q, "prompt", file, where, max_len=2000),
                           "explanation": _text(q, "explanation", file, where, required=False, max_len=2000),
                           "points": _int(q, "points", file, where, lo=1, hi=100, default=1)}
    if kind in ("single", "multiple"):
        choices = q.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise FolderError(file, f"{where}choices", "needs at least two choices")
        out["choices"] = []
        for k, c in enumerate(choices):
            if not isinstance(c, dict):
                raise FolderError(file, f"{where}choices[{k}]", "must be a mapping {text, correct}")
            correct = c.get("correct", False)
            if not isinstance(correct, bool):
                raise FolderError(file, f"{where}choices[{k}].correct", "must be true or false")
            out["choices"].append({"text": _text(c, "text", file, f"{where}choices[{k}].", max_len=500),
                                   "correct": correct})
        right = sum(c["correct"] for c in out["choices"])
        if kind == "single" and right != 1:
            raise FolderError(file, f"{where}choices", "a single-choice question has exactly one correct choice")
        if kind == "multiple" and right < 1:
            raise FolderError(file, f"{where}choices", "a multiple-choice question has at least one correct choice")
    elif kind == "short":
        accept = q.get("accept")
        if not isinstance(accept, list) or not accept or not all(isinstance(a, str | int | float) for a in accept):
            raise FolderError(file, f"{where}accept", "must be a non-empty list of accepted answers")
        out["accept"] = [str(a) for a in accept]
    return out


# --- writing ------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def write_folder(course: CourseSpec, files: dict[str, bytes], path: str | Path) -> Path:
    """Write ``course`` as a folder at ``path`` (created; existing files are overwritten)."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    modules = []
    for m in course.modules:
        entry: dict[str, Any] = {"title": m.title, "lessons": []}
        for lesson in m.lessons:
            name = lesson.file or f"lessons/{lesson.key}.md"
            item: dict[str, Any] = {"title": lesson.title, "file": name}
            if lesson.video:
                item["video"] = lesson.video
            if lesson.resources:
                item["resources"] = [{"title": r.title, "file": r.file} for r in lesson.resources]
            entry["lessons"].append(item)
            _write(root, name, lesson.body.encode("utf-8"))
        if m.quiz is not None:
            qname = m.quiz.file or f"quizzes/{m.key}.yaml"
            entry["quiz"] = qname
            quiz: dict[str, Any] = {"title": m.quiz.title}
            for k in ("pass_mark", "max_attempts", "draw"):
                if getattr(m.quiz, k) is not None:
                    quiz[k] = getattr(m.quiz, k)
            quiz["questions"] = [_question_out(q) for q in m.quiz.questions]
            _write(root, qname, _dump(quiz).encode("utf-8"))
        modules.append(entry)
    head = {k: getattr(course, k) for k in ("slug", "language", "title", "summary", "topic", "level",
                                            "estimated_hours", "version", "enrolment", "pass_mark")}
    if course.completion != {"lessons": True, "quizzes": True}:
        head["completion"] = course.completion
    head["modules"] = modules
    _write(root, "course.yaml", _dump(head).encode("utf-8"))
    for name, content in files.items():
        _write(root, name, content)
    return root


def _question_out(q: dict) -> dict:
    out = {"kind": q["kind"], "prompt": q["prompt"]}
    if q.get("choices"):
        out["choices"] = [{"text": c["text"], "correct": True} if c["correct"] else {"text": c["text"]}
                          for c in q["choices"]]
    if q.get("accept"):
        out["accept"] = list(q["accept"])
    if q.get("explanation"):
        out["explanation"] = q["explanation"]
    if q.get("points", 1) != 1:
        out["points"] = q["points"]
    return out


def _write(root: Path, name: str, content: bytes) -> None:
    target = _inside(root, name, "export", "file")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
