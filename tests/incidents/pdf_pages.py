"""Render a PDF with poppler's pdftoppm and look at the pages (a plain module, also used
by the browser test)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def rendered_pages(pdf: Path, out: Path) -> list[Path]:
    """Each page as a PNG (pdftoppm at 50 dpi); skips when poppler-utils is missing."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils, installed by .ci/run) is not installed")
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out / "page")], check=True, timeout=120,
                   capture_output=True)
    return sorted(out.glob("page-*.png"))


def ink(png: Path) -> float:
    """The share of a page's pixels that are not white (0 for a blank page)."""
    from PIL import Image

    image = Image.open(png).convert("L")
    pixels = list(image.getdata())
    return sum(1 for p in pixels if p < 200) / len(pixels)
