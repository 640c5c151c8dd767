"""The compiled helper of the PDFium reader (jixiao/extract/_pdfium_fast.c).

Optional: where no C compiler is found the build goes on without it and
jixiao reads through ctypes instead (same output, slower); everything else
is declared in pyproject.toml.
"""

import sys

from setuptools import Extension, setup

# The helper repeats Python's float arithmetic and must round as it does: no
# fused multiply-add (GCC and Clang fuse by default where the CPU has it).
FLAGS = [] if sys.platform == "win32" else ["-ffp-contract=off"]

setup(
    ext_modules=[
        Extension(
            "jixiao.extract._pdfium_fast", ["jixiao/extract/_pdfium_fast.c"], extra_compile_args=FLAGS, optional=True
        )
    ]
)
