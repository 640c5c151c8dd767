"""Engines behind one small interface, chosen by name."""

from __future__ import annotations

from typing import Protocol

from .model import PageContent, PageInfo
from .source import PdfSource


class Engine(Protocol):
    name: str

    def read_page(self, source: PdfSource, index: int, info: PageInfo) -> PageContent: ...


def get_engine(name: str) -> Engine:
    if name == "text":
        from .textlayer import TextLayerEngine

        return TextLayerEngine()
    if name == "ocr":
        from .ocr import OcrEngine

        return OcrEngine()
    raise KeyError(f"unknown engine {name!r}; known: text, ocr")
