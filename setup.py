"""The compiled helper of the PDFium reader (jixiao/extract/_pdfium_fast.c).

Optional: where no C compiler is found the build goes on without it and
jixiao reads through ctypes instead (same output, slower); everything else
is declared in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("jixiao.extract._pdfium_fast", ["jixiao/extract/_pdfium_fast.c"], optional=True)])
