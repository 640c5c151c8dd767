"""The OCR engine: page image -> ruled grids -> text recognised per cell.

For pages whose text layer is absent (scans) or garbled. The page is rendered
(a scan at its own resolution), deskewed, and its ruling lines found with
morphology (``raster``); the lines go through the same ``build_grids`` as the
text engine's vector segments, so spans and open page-edge sides come out the
same way. Text is then recognised per cell: each cell's lines of ink are cut
by horizontal projection and each line crop goes to the recognition model
alone (no detection model, no text from a neighbouring column). Text outside
the tables (titles, year labels) is cut into lines the same way.

Coordinates are the deskewed image scaled to PDF points.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from . import raster
from .geometry import Grid, build_grids
from .model import PageContent, PageInfo, TextLine
from .source import PdfSource
from .tables import table_from_grid
from .text import Glyph, Line, clean, join_lines

# --- the recognition model (one per process) ---------------------------------
#
# The model is rapidocr's PP-OCRv6 small recogniser, as shipped inside the
# rapidocr wheel (nothing is downloaded). It is run through onnxruntime here
# rather than through ``RapidOCR``: per-cell crops need batched recognition
# with character positions (to place spaces), and onnxruntime must not spin
# its thread pool (with spinning, 2 threads on 2 cores run slower than 1).

REC_HEIGHT = 48  # the model's input height
REC_BATCH = 4
REC_MODEL = "PP-OCRv6_rec_small.onnx"
SQUEEZE = 1.0  # horizontal scale of crops before recognition (cost is linear in width)
MARGIN_Y = 0.3  # white margin above and below a line, in line heights
MARGIN_X = 0.25

RARE_RUNNER_UP = 0.1  # a GB 2312 character this likely replaces a rarer first choice

_lock = threading.RLock()
_recognizer: Recognizer | None = None


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def model_path(name: str = REC_MODEL) -> str:
    """A model file shipped inside the rapidocr wheel."""
    import rapidocr

    path = os.path.join(os.path.dirname(rapidocr.__file__), "models", name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"OCR model {name} is not in the installed rapidocr package: {path}")
    return path


@dataclass(frozen=True)
class Recognised:
    text: str
    score: float
    # Centre of each character of ``text``, in pixels of the crop it was read from.
    centres: tuple[float, ...]


class Recognizer:
    """Batched line recognition with character positions (CTC columns)."""

    def __init__(self, workers: int | None = None) -> None:
        import onnxruntime as ort

        self.workers = workers or available_cores()
        opts = ort.SessionOptions()
        # One thread per run, several runs at once (one session, shared):
        # crops are small, and intra-op threads on them mostly wait.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.enable_cpu_mem_arena = False  # memory follows the crop in hand, not the widest seen
        opts.log_severity_level = 3
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(model_path(), sess_options=opts, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        meta = self.session.get_modelmeta().custom_metadata_map
        # CTC classes: blank, the model's characters, then space (as rapidocr decodes).
        self.charset: list[str] = ["", *meta["character"].splitlines(), " "]
        # Classes that are CJK ideographs outside GB 2312: traditional forms and
        # rare characters, which the model sometimes prefers to the simplified
        # character printed (強 for 强).
        self.rare = np.array([len(c) == 1 and _is_cjk(c) and not _in_gb2312(c) for c in self.charset], dtype=bool)
        self._pool: ThreadPoolExecutor | None = None

    def __call__(self, crops: Sequence[np.ndarray]) -> list[Recognised]:
        """Read each crop (grey, uint8) as one line of text."""
        out: list[Recognised] = [Recognised("", 0.0, ())] * len(crops)
        ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
        order = sorted(range(len(crops)), key=lambda i: ratios[i])
        batches = [order[k : k + REC_BATCH] for k in range(0, len(order), REC_BATCH)]
        # Widest first, so that no worker is left with a long run at the end.
        batches.reverse()

        def run(batch: list[int]) -> None:
            widths = [max(8, int(np.ceil(REC_HEIGHT * ratios[i] * SQUEEZE))) for i in batch]
            width = max(widths)
            # Padding is 0 after normalisation, as the model was trained.
            tensor = np.zeros((len(batch), 3, REC_HEIGHT, width), dtype=np.float32)
            for k, i in enumerate(batch):
                img = cv2.resize(crops[i], (widths[k], REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
                tensor[k, :, :, : widths[k]] = img.astype(np.float32) / 127.5 - 1.0
            preds = self.session.run(None, {self.input: tensor})[0]
            for k, i in enumerate(batch):
                out[i] = self._decode(preds[k], width, widths[k], crops[i].shape[1])

        if self.workers <= 1 or len(batches) <= 1:
            for b in batches:
                run(b)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="jixiao-ocr")
            for _ in self._pool.map(run, batches):
                pass
        return out

    def _decode(self, pred: np.ndarray, width: int, resized_w: int, crop_w: int) -> Recognised:
        idx = pred.argmax(axis=1)
        prob = pred.max(axis=1)
        for t in np.flatnonzero(self.rare[idx]):
            # A common simplified character close behind wins.
            alt = np.where(self.rare | (np.arange(len(pred[t])) == 0), 0.0, pred[t])
            best = int(alt.argmax())
            if alt[best] >= RARE_RUNNER_UP and _is_cjk(self.charset[best]):
                idx[t], prob[t] = best, prob[t] + alt[best]
        keep = idx != 0
        keep[1:] &= idx[1:] != idx[:-1]
        cols = np.flatnonzero(keep)
        if cols.size == 0:
            return Recognised("", 0.0, ())
        step = width / pred.shape[0]
        to_crop = crop_w / resized_w
        chars = [self.charset[j] if j < len(self.charset) else "" for j in idx[cols]]
        centres = tuple(float((c + 0.5) * step * to_crop) for c in cols)
        return Recognised("".join(chars), float(prob[cols].mean()), centres)


def recognizer() -> Recognizer:
    """The process's recogniser (loaded on first use, ~0.3 s)."""
    global _recognizer
    if _recognizer is None:
        with _lock:
            if _recognizer is None:
                _recognizer = Recognizer()
    return _recognizer


# --- from recognised lines to text --------------------------------------------


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FA1F


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _is_wide(ch: str) -> bool:
    """CJK or full-width punctuation: text where ASCII punctuation is a misread."""
    return _is_cjk(ch) or 0x3000 <= ord(ch) <= 0x303F or 0xFF00 <= ord(ch) <= 0xFFEF


FULL_WIDTH = {":": "：", ";": "；", ",": "，", "?": "？", "!": "！"}


def fix_punctuation(text: str) -> str:
    """ASCII : ; , ? ! next to CJK text -> the full-width forms printed there.

    (The model reads both forms and confuses them; a comma between digits
    stays ASCII.)
    """
    chars = list(text)
    for i, ch in enumerate(chars):
        full = FULL_WIDTH.get(ch)
        if full is None:
            continue
        before = next((c for c in reversed(chars[:i]) if not c.isspace()), "")
        after = next((c for c in chars[i + 1 :] if not c.isspace()), "")
        if ch == ",":
            if before and _is_wide(before) or (after and _is_wide(after) and not before.isdigit()):
                chars[i] = full
        elif (before and _is_wide(before)) or (after and _is_wide(after)):
            chars[i] = full
    return "".join(chars)


SPACE_GAP = 0.27  # a blank this wide (in ems) between Latin characters or digits is a space
MIXED_SPACE_GAP = 0.3  # ... between a CJK character and a Latin one (mixed fonts sit further apart)
MODEL_SPACE_GAP = 0.2  # ... or this wide where the model read a space
# Full-width punctuation carries half an em of blank in its glyph: next to it,
# a space shows as that blank plus a Latin space.
PUNCT_SPACE_GAP = 0.85


def _is_fullwidth_punct(ch: str) -> bool:
    cp = ord(ch)
    return 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFF65 or ch in "“”‘’…—·"


def place_spaces(rec: Recognised, cols: np.ndarray, em: float) -> str:
    """The line's text with spaces where the ink has a wide gap.

    ``cols`` is the crop's ink per column; ``em`` the font size in pixels. A
    blank of SPACE_GAP ems next to a Latin character or digit is a space; the
    model's own spaces survive only where some blank is there. Never between
    two CJK characters (justified CJK has wide gaps that are not spaces) nor
    next to full-width punctuation unless the blank exceeds the glyph's own.
    """
    chars = list(zip(rec.text, rec.centres))
    visible = [(c, x) for c, x in chars if not c.isspace()]
    if not visible:
        return ""
    model_space = set()
    seen = 0
    for c, _ in chars:
        if c.isspace():
            model_space.add(seen)
        else:
            seen += 1
    out = visible[0][0]
    for k in range(1, len(visible)):
        (a, xa), (b, xb) = visible[k - 1], visible[k]
        if _is_wide(a) and _is_wide(b):
            out += b
            continue
        punct = _is_fullwidth_punct(a) or _is_fullwidth_punct(b)
        lo, hi = int(min(xa, xb)), int(max(xa, xb)) + 1
        gap = _widest_gap(cols[max(0, lo) : max(0, min(len(cols), hi))]) / em
        if punct:
            if gap >= PUNCT_SPACE_GAP:
                out += " "
        elif gap >= (MIXED_SPACE_GAP if _is_wide(a) or _is_wide(b) else SPACE_GAP) or (
            k in model_space and gap >= MODEL_SPACE_GAP
        ):
            out += " "
        out += b
    return out


def _widest_gap(cols: np.ndarray) -> int:
    if cols.size == 0:
        return 0
    blank = np.concatenate(([0], (cols == 0).astype(np.int8), [0]))
    d = np.diff(blank)
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    return int((ends - starts).max()) if starts.size else 0


def _pseudo_line(text: str, x0: float, top: float, x1: float, bottom: float) -> Line:
    """A recognised line as evenly spaced glyphs, for ``text.join_lines``."""
    n = max(1, len(text))
    w = (x1 - x0) / n
    return Line([Glyph(ch, x0 + k * w, top, x0 + (k + 1) * w, bottom) for k, ch in enumerate(text)])


# --- the engine ---------------------------------------------------------------


@dataclass
class _Job:
    strip: raster.Strip
    crop: np.ndarray
    cols: np.ndarray  # ink per column of the crop
    owner: tuple[int, int] | None  # (grid, cell) or None for free text


class OcrEngine:
    name = "ocr"

    def read_page(self, source: PdfSource, index: int, info: PageInfo) -> PageContent:
        page = source.pdfium[index]
        try:
            img = raster.load_page(page)
        finally:
            page.close()
        return read_image(img, index + 1, info)


def read_image(img: raster.PageImage, number: int, info: PageInfo) -> PageContent:
    """OCR one page image (already deskewed)."""
    s = img.scale
    rules = raster.find_rules(img)
    grids = build_grids(rules.segments)
    lines_px = raster.rule_mask(rules, grids, s)
    ink = raster.text_ink(rules.binary, lines_px)
    clean_gray = img.gray.copy()
    clean_gray[lines_px > 0] = 255
    h, w = img.gray.shape

    jobs: list[_Job] = []
    for gi, grid in enumerate(grids):
        for ci, cell in enumerate(grid.cells):
            box = _px_box(cell.bbox, s, w, h, inset=1)
            for strip in raster.text_strips(ink, box, s):
                jobs.append(_make_job(clean_gray, ink, strip, box, (gi, ci)))

    # Free text: everything outside the tables.
    outside = ink.copy()
    for grid in grids:
        x0, top, x1, bottom = _px_box(grid.bbox, s, w, h, inset=-3)
        outside[top:bottom, x0:x1] = 0
    for strip in raster.text_strips(outside, (0, 0, w, h), s, split_words=True):
        jobs.append(_make_job(clean_gray, outside, strip, (0, 0, w, h), None))

    results = recognizer()([j.crop for j in jobs]) if jobs else []
    em = _font_size_px(jobs, results, s)

    per_cell: dict[tuple[int, int], list[tuple[Line, float]]] = {}
    free: list[TextLine] = []
    for job, rec in zip(jobs, results):
        # Punctuation first (one character for one), so a full-width colon's
        # blank half is not taken for a space.
        rec = Recognised(fix_punctuation(rec.text), rec.score, rec.centres)
        line_h = job.strip.bottom - job.strip.top
        text = place_spaces(rec, job.cols, line_h if line_h > 1.4 * em else em)
        if not text.strip():
            continue
        st = job.strip
        if job.owner is None:
            bbox = (st.x0 / s, st.top / s, st.x1 / s, st.bottom / s)
            free.append(TextLine(clean(text), number, bbox))
            continue
        line = _pseudo_line(text, st.x0 / s, st.top / s, st.x1 / s, st.bottom / s)
        per_cell.setdefault(job.owner, []).append((line, rec.score))

    tables = []
    for gi, grid in enumerate(grids):
        texts, confs = _cell_texts(grid, gi, per_cell)
        tables.append(table_from_grid(grid, number, texts, confs, method="ocr"))
    free.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return PageContent(info, img.width_pt, img.height_pt, tuple(tables), tuple(free))


def _cell_texts(
    grid: Grid, gi: int, per_cell: dict[tuple[int, int], list[tuple[Line, float]]]
) -> tuple[list[str], list[float | None]]:
    texts: list[str] = []
    confs: list[float | None] = []
    for ci in range(len(grid.cells)):
        lines = per_cell.get((gi, ci), [])
        lines.sort(key=lambda item: item[0].top)
        texts.append(clean(join_lines([ln for ln, _ in lines])) if lines else "")
        # An empty cell is certainly empty: full confidence.
        confs.append(min(score for _, score in lines) if lines else 1.0)
    return texts, confs


def _px_box(bbox: tuple[float, float, float, float], s: float, w: int, h: int, inset: int) -> tuple[int, int, int, int]:
    x0, top, x1, bottom = bbox
    return (
        max(0, int(round(x0 * s)) + inset),
        max(0, int(round(top * s)) + inset),
        min(w, int(round(x1 * s)) - inset),
        min(h, int(round(bottom * s)) - inset),
    )


def _make_job(
    gray: np.ndarray, ink: np.ndarray, st: raster.Strip, box: tuple[int, int, int, int], owner: tuple[int, int] | None
) -> _Job:
    """A crop of one line with a white margin, cut at the cell's edges."""
    lh = st.bottom - st.top
    my = max(2, int(round(MARGIN_Y * lh)))
    mx = max(3, int(round(MARGIN_X * lh)))
    bx0, btop, bx1, bbot = box
    y0, y1 = max(btop, st.top - my), min(bbot, st.bottom + my)
    x0, x1 = max(bx0, st.x0 - mx), min(bx1, st.x1 + mx)
    crop = gray[y0:y1, x0:x1]
    # Ink outside the strip (a neighbouring line's descenders) is whitened.
    mask = np.zeros_like(crop, dtype=bool)
    mask[st.top - y0 : st.bottom - y0, st.x0 - x0 : st.x1 - x0] = True
    crop = np.where(mask, crop, 255).astype(np.uint8)
    crop = cv2.copyMakeBorder(
        crop,
        my - (st.top - y0),
        my - (y1 - st.bottom),
        mx - (st.x0 - x0),
        mx - (x1 - st.x1),
        cv2.BORDER_CONSTANT,
        value=255,
    )
    cols = np.zeros(crop.shape[1], dtype=np.int32)
    cols[mx : mx + (st.x1 - st.x0)] = (ink[st.top : st.bottom, st.x0 : st.x1] > 0).sum(axis=0)
    return _Job(st, crop, cols, owner)


def _font_size_px(jobs: Sequence[_Job], results: Sequence[Recognised], scale: float) -> float:
    """The body font size in pixels: median height of lines holding CJK."""
    heights = [
        j.strip.bottom - j.strip.top
        for j, r in zip(jobs, results)
        if j.owner is not None and sum(_is_cjk(c) for c in r.text) >= 2
    ]
    if not heights:
        return 9.0 * scale
    heights.sort()
    return float(heights[len(heights) // 2])
