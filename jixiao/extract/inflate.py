"""How far a page's streams inflate, measured before any reader inflates them.

A content stream or an embedded font program declares no decompressed size
(images declare theirs: see ``source.image_bytes``), and 1 MB of deflate
holds 1 GB. PDFium and PLAYA inflate such a stream whole, in memory, when
they load the page. Here each Flate stream the page uses (its content
streams, the form XObjects it draws, the font programs and Type 3 glyph
procedures of its fonts) is inflated in 1 MB steps that are counted and
dropped, up to the limit: memory stays at a megabyte, time at what the
limit's bytes take (~0.3 s per 256 MB); a stream whose compressed size is
below the limit / 1032 (deflate's largest ratio) cannot pass it and is
not inflated (every stream of the corpus). Each stream is measured once per
document (fonts are shared by pages). What cannot be measured this way (an
LZW or run-length stream, a stream of a damaged object) is left to the
memory limit, and a stream that does not inflate to the readers, who name
the damage.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

STEP = 1 << 20
# Deflate's largest ratio (a 258-byte match per bit or two): a stream this
# many times smaller than the limit cannot pass it.
MAX_RATIO = 1032
MAX_DEPTH = 8  # form XObjects inside form XObjects
_FLATE = {"FlateDecode", "Fl"}
_ASCII = {"ASCII85Decode", "A85", "ASCIIHexDecode", "AHx"}
_FONT_FILES = ("FontFile", "FontFile2", "FontFile3")

# Streams already measured, per open document.
_measured: WeakKeyDictionary[Any, set[int]] = WeakKeyDictionary()


def stream_past(source: Any, index: int, limit: int) -> str | None:
    """What on page ``index`` of a ``PdfSource`` inflates past ``limit``
    bytes ("content stream", "font program of /F1", ...), or None."""
    from ..errors import FileTimeout, JixiaoError
    from .source import PDF_LIBRARIES, _raised_in

    seen = _measured.setdefault(source, set())
    try:
        for what, stream in _streams(source.playa.pages[index], seen):
            if _inflated(stream, limit) > limit:
                return what
    except (FileTimeout, MemoryError):
        raise
    except Exception as e:
        if isinstance(e, JixiaoError) or _raised_in(e, PDF_LIBRARIES):
            return None  # the readers say what is damaged
        raise
    return None


def _new(ref: Any, seen: set[int]) -> bool:
    """Not looked at yet in this document (an indirect object is looked at
    once: pages share their fonts, often their resources)."""
    objid = getattr(ref, "objid", None)
    if objid is None:
        return True
    if objid in seen:
        return False
    seen.add(objid)
    return True


def _name(value: Any) -> str:
    return str(getattr(value, "name", value))


def _streams(page: Any, seen: set[int]) -> Iterator[tuple[str, Any]]:
    from playa.pdftypes import ContentStream

    contents = page.attrs.get("Contents")
    for ref in contents if isinstance(contents, list) else [contents]:
        if ref is None or not _new(ref, seen):
            continue
        obj = _resolve(ref)  # a stream, or an indirect array of them
        for stream in obj if isinstance(obj, list) else [obj]:
            stream = _resolve(stream)
            if isinstance(stream, ContentStream):
                yield "content stream", stream
    if _new(page.attrs.get("Resources"), seen):
        yield from _resources(page.resources, 0, seen)


def _resolve(obj: Any) -> Any:
    from playa.pdftypes import resolve1

    return resolve1(obj)


def _resources(resources: Any, depth: int, seen: set[int]) -> Iterator[tuple[str, Any]]:
    from playa.pdftypes import ContentStream

    resolve1 = _resolve
    resources = resolve1(resources)
    if not isinstance(resources, dict) or depth > MAX_DEPTH:
        return
    xobjects = resolve1(resources.get("XObject"))
    for name, ref in (xobjects.items() if isinstance(xobjects, dict) else ()):
        if not _new(ref, seen):
            continue
        obj = resolve1(ref)
        if isinstance(obj, ContentStream) and _name(obj.get("Subtype")) == "Form":
            yield f"form XObject /{name}", obj
            if _new(obj.get("Resources"), seen):
                yield from _resources(obj.get("Resources"), depth + 1, seen)
    fonts = resolve1(resources.get("Font"))
    for name, ref in (fonts.items() if isinstance(fonts, dict) else ()):
        if not _new(ref, seen):
            continue
        font = resolve1(ref)
        if not isinstance(font, dict):
            continue
        descendants = resolve1(font.get("DescendantFonts"))
        parts = [font] + [resolve1(d) for d in (descendants if isinstance(descendants, list) else [])]
        for part in parts:
            descriptor = resolve1(part.get("FontDescriptor")) if isinstance(part, dict) else None
            if not isinstance(descriptor, dict):
                continue
            for key in _FONT_FILES:
                program = resolve1(descriptor.get(key)) if _new(descriptor.get(key), seen) else None
                if isinstance(program, ContentStream):
                    yield f"font program of /{name}", program
        procs = resolve1(font.get("CharProcs"))
        for proc in (procs.values() if isinstance(procs, dict) else ()):
            proc = resolve1(proc)
            if isinstance(proc, ContentStream):
                yield f"glyph procedure of /{name}", proc
        if "CharProcs" in font:
            yield from _resources(font.get("Resources"), depth + 1, seen)


def _inflated(stream: Any, limit: int) -> int:
    """Bytes ``stream`` decodes to through its Flate filters, counted up to
    just past ``limit`` (0 when it has none or cannot be measured)."""
    filters = [_name(f) for f, _ in stream.get_filters()]
    flates = sum(1 for f in filters if f in _FLATE)
    if not flates:
        return 0
    data = stream.rawdata
    if flates == 1 and len(data) * MAX_RATIO <= limit:
        return 0  # cannot inflate past the limit: nothing to inflate here (most streams)
    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    size = 0
    for i, f in enumerate(filters):
        last = i == len(filters) - 1
        if f in _FLATE:
            size, out = _inflate(data, limit, keep=not last)
            if size > limit or out is None:
                return size
            data = out
        elif f in _ASCII:  # these only shrink
            from playa.ascii85 import ascii85decode, asciihexdecode

            data = ascii85decode(data) if f in ("ASCII85Decode", "A85") else asciihexdecode(data)
        else:
            return size  # LZW, run-length, image codecs: not measured here
    return size


def _inflate(data: bytes, limit: int, keep: bool) -> tuple[int, bytes | None]:
    d = zlib.decompressobj()
    total, parts = 0, []
    pending = data
    try:
        while True:
            out = d.decompress(pending, STEP)
            total += len(out)
            if total > limit:
                return total, None
            if keep:
                parts.append(out)
            pending = d.unconsumed_tail
            if d.eof or (not pending and not out):
                break
    except zlib.error:
        pass  # damaged: the readers say so
    return total, b"".join(parts) if keep else None
