"""Per-page decision: is the text layer sound, garbled or absent?

(Placeholder signals; the OCR work refines them.)
"""

from __future__ import annotations

from .source import PdfSource


def triage_page(source: PdfSource, index: int, text: str) -> tuple[str, str]:
    """("sound" | "garbled" | "absent", reason)."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return "absent", "no text layer"
    bad = sum(1 for c in visible if c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF)
    if bad / len(visible) > 0.1:
        return "garbled", f"{bad} of {len(visible)} characters undecodable"
    return "sound", ""
