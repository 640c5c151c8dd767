# The compiled helper's signatures (jixiao/extract/_pdfium_fast.c says what each returns).
from typing import Any

N_FNS: int

def chars(
    fns: tuple[int, ...], textpage: int, text: str
) -> tuple[list[tuple[str, int, float, float, float, float]], dict[int, int], list[tuple[float, float, float, float, int, float]]]: ...
def place(
    fns: tuple[int, ...],
    rows: list[tuple[str, int, float, float, float, float]],
    objects: dict[int, int],
    lows: list[tuple[float, float]],
    ctm: tuple[float, float, float, float, float, float],
    glyph: type,
) -> tuple[list[Any], None] | tuple[None, str] | None: ...
def objects(fns: tuple[int, ...], handle: int, is_form: bool) -> list[tuple[int, int]]: ...
def path(
    fns: tuple[int, ...], obj: int
) -> tuple[int, int, tuple[int, int, int] | None, tuple[int, int, int] | None, tuple[float, float, float, float, float, float], list[tuple[int, float, float, int]]]: ...
def a85decode(data: bytes) -> bytes | None: ...
def bucket(
    glyphs: list[Any], grids: list[tuple[tuple[float, ...], tuple[float, ...], list[int], int]]
) -> tuple[list[list[list[Any]]], list[Any]] | None: ...
def glyph_lines(glyphs: list[Any], join_one: bool) -> str | list[tuple[list[Any], float]] | None: ...
def subpaths(
    segments: list[tuple[int, float, float, int]],
    matrix: tuple[float, float, float, float, float, float],
    digits: int,
    moveto: int,
    bezierto: int,
) -> list[tuple[list[tuple[float, float]], bool]]: ...
def rules(
    fns: tuple[int, ...],
    page: int,
    ctm: tuple[float, float, float, float, float, float],
    used: dict[int, Any],
    segment: type,
    constants: tuple[int, int, int, int, int, int, int, float],
) -> tuple[list[Any], list[tuple[float, float, float, float]], list[list[Any]]] | str | None: ...
