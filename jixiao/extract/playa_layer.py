"""Characters and ruling lines of a page, read with PLAYA.

PLAYA (the lazy PDF parser pdfplumber itself builds on) yields the glyphs as
printed — real space glyphs included — and path segments in page coordinates
(top-left origin, like pdfplumber), about 5-8x faster than pdfminer's layout
pass. It is the reference the PDFium reader (``pdfium_layer``) is tested
against, and reads the pages PDFium's text page cannot give in full.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from .geometry import THIN, Segment, rules_from_subpaths, segments_from_rects
from .text import Glyph


def _objects(container: Any) -> Iterator[Any]:
    """Content objects, descending into form XObjects."""
    for obj in container:
        if obj.object_type == "xobject":
            yield from _objects(obj)
        else:
            yield obj


def _visible(color: Any) -> bool:
    """Not white (the cell backgrounds many generators paint)."""
    if color is None or getattr(color, "pattern", None) is not None:
        return True
    values = tuple(float(v) for v in color.values)
    if len(values) == 4:  # CMYK: white is no ink
        return any(v > 0.02 for v in values)
    return any(v < 0.98 for v in values)


def read_page(page: Any) -> tuple[list[Glyph], list[Segment]]:
    glyphs: list[Glyph] = []
    seen: set[tuple[str, int, int]] = set()
    rects: list[tuple[float, float, float, float]] = []
    strokes: list[Segment] = []
    for obj in _objects(page):
        if obj.object_type == "text":
            for g in obj:
                text = g.text if g.text is not None else "\ufffd"
                x0, top, x1, bottom = g.bbox
                # Fake bold overprints each glyph at (almost) the same place.
                key = (text, round(x0 * 2), round(top * 2))
                if key in seen:
                    continue
                seen.add(key)
                for k, ch in enumerate(text):
                    w = (x1 - x0) / len(text)
                    glyphs.append(Glyph(ch, x0 + k * w, top, x0 + (k + 1) * w, bottom))
        elif obj.object_type == "path":
            filled = obj.fill and _visible(obj.gstate.ncolor)
            stroked = obj.stroke and _visible(obj.gstate.scolor)
            if filled or stroked:
                rules_from_subpaths(_subpaths(obj.segments), filled, stroked, rects, strokes)
    return glyphs, strokes + segments_from_rects(rects, max_thickness=THIN)


def _subpaths(segments: Any) -> list[tuple[list[tuple[float, float]], bool]]:
    out: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    closed = False
    for seg in segments:
        op = seg.operator
        if op == "m":
            if current:
                out.append((current, closed))
            current, closed = [tuple(seg.points[0])], False  # type: ignore[list-item]
        elif op == "h":
            closed = True
        elif seg.points:
            current.append(tuple(seg.points[-1]))  # type: ignore[arg-type]
    if current:
        out.append((current, closed))
    return out


def check_streams(page: Any) -> None:
    """Decode the page's content streams without interpreting them (a fraction
    of a millisecond): a stream that does not decode raises or warns here, as
    it would while PLAYA reads the page. PDFium drops such a stream without a
    word, so its fast path runs this first (the page is then named, not read short)."""
    for stream in page.streams:
        if not _decodes(stream):
            stream.buffer  # noqa: B018 - decoding is the check


def _decodes(stream: Any) -> bool:
    """The stream's filters are only ASCII85 and Flate, without predictor or
    encryption, and they decode: PLAYA's decoding would neither raise nor
    warn (the same zlib; ASCII85 as base64's, but in C: base64's is a Python
    loop per byte, 0.7 ms a page on ReportLab's streams). False for anything
    else, which PLAYA then decodes, and names if it must."""
    from . import pdfium_layer

    native = pdfium_layer.native
    if native is None or stream.decipher:
        return False
    from playa import ascii85
    from playa.pdftypes import LITERALS_ASCII85_DECODE, LITERALS_FLATE_DECODE

    data = stream.rawdata
    for f, params in stream.get_filters():
        if "Predictor" in params:
            return False
        if f in LITERALS_FLATE_DECODE:
            try:
                data = zlib.decompress(data)
            except zlib.error:
                return False
        elif f in LITERALS_ASCII85_DECODE:  # the framing stripped as PLAYA strips it
            data = native.a85decode(ascii85.end_re.sub(b"", ascii85.start_re.sub(b"", data)))
            if data is None:
                return False
        else:
            return False
    return True
