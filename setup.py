"""Build step for the compiled MRT decoder; all project metadata lives in pyproject.toml.

The extension is optional: if it does not compile (no C compiler or no Python headers),
installation still succeeds and isoc.routing.elements decodes with the pure-Python path,
logging one warning.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "isoc.routing._mrtdecode",
            ["src/isoc/routing/_mrtdecode.c"],
            extra_compile_args=["-O2", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=True,
        )
    ]
)
