"""The OCR engine: page image -> ruled grids -> text recognised per cell.

For pages whose text layer is absent (scans) or garbled. The page is rendered
(a scan at its own resolution), cleaned of seals, cut out of its border or
desk, turned upright and deskewed (``preprocess``), and its ruling lines
found with morphology (``raster``); the lines go through the same ``build_grids`` as the
text engine's vector segments, so spans and open page-edge sides come out the
same way. Text is then recognised per cell: each cell's lines of ink are cut
by horizontal projection and each line crop goes to the recognition model
alone (no detection model, no text from a neighbouring column). Text outside
the tables (titles, year labels) is cut into lines the same way.

Coordinates are the deskewed image scaled to PDF points.
"""

from __future__ import annotations

import itertools
import os
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
import regex

from .. import heap
from . import pagebox, preprocess, raster
from . import settings as settings_module
from .geometry import SNAP, Grid, Segment, build_grids
from .model import PageContent, PageInfo, TextLine
from .prior import CharPrior, PriorFile
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
REC_BATCH = 1  # crops per run: batching saves nothing on CPU and pads, and wide batches cost memory
REC_MODEL = "PP-OCRv6_rec_small.onnx"
MARGIN_Y = 0.3  # white margin above and below a line, in line heights
MARGIN_X = 0.25
MIN_CROP_RATIO = 1.8  # narrower crops are widened with white

GRAINY_CONTRAST = 15.0  # raster.ink_contrast above this: a scan with grain
FREE_MIN_SCORE = 0.6  # free text (outside tables) read with less confidence is noise
FREE_MIN_HEIGHT_PT = 2.5  # ... and so is a "line" of ink lower than this
RARE_RUNNER_UP = 0.1  # a GB 2312 character this likely replaces a rarer first choice
BILEVEL_RARE_RUNNER_UP = 0.01  # ... on a fax
BILEVEL_SOFTEN_PX = 0.8
BILEVEL_GAP_INK_EM = 0.2  # on a fax, a row with this little ink (ems of pixels) does not join two lines of a cell
BRACKET_SOFTEN_PX = 1.5
LOST_BRACKET_PIECES = 2  # a broken opening bracket reads as at most this many characters ...
LOST_BRACKET_PIECE_PROB = 0.6  # ... each read less surely than this
FAX_HEADER_SHARE = 0.06  # a fax machine prints its header line within this share of the page's top
LONE_GLYPH_RATIO = 1.5  # a line no wider than this many heights may be one sign
SPECK_PROB = 0.8  # a character read with less than this ...
SPECK_GAP_EM = 0.35  # ... standing this far apart at a line's end is a speck
BILEVEL_SPECK_PROB = 0.995  # on a fax, specks next to text read as "·", "1", "。" with confidence
SPECK_LINE_PROB = 0.9  # a line smaller than ~half an em is a speck unless read this surely
FREE_MIN_WIDTH_EM = 0.6  # free text narrower than this is a streak or a speck, not a word
FREE_MAX_HEIGHT_EM = 5.0  # ... and taller than this many body ems, no line of text
STUB_BAND_PT = 1.5  # on a fax, ink wholly this close to a rule is a stub of it
FLIP_PROBES = 8  # lines read both ways to tell an upside-down page ...
FLIP_MIN_RATIO = 2.5  # ... of a few characters (crop width / height): long lines cost, one sign tells nothing
FLIP_MAX_RATIO = 12.0
FLIP_UPRIGHT_SCORE = 0.85  # lines read this surely: the page is upright
FLIP_MARGIN = 0.15  # the turned reading must be this much more confident


_lock = threading.RLock()
_recognizer: Recognizer | None = None
_recognizer_pid = 0
configure = settings_module.configure  # this process's OCR settings (see settings.configure)


def available_cores() -> int:
    """Cores this process may run on, or the configured threads if fewer."""
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        cores = max(1, os.cpu_count() or 1)
    cap = settings_module.current().threads or 0
    return min(cores, cap) if cap > 0 else cores


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
    probs: tuple[float, ...] = ()  # each character's probability (empty: unknown)


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
        opts.enable_mem_pattern = False  # crops come in every width: no plan kept per shape
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
        # Classes the language prior may choose between (see _candidates).
        self.cjk = np.array([len(c) == 1 and _is_cjk(c) for c in self.charset], dtype=bool) & ~self.rare
        self.math = np.array([len(c) == 1 and unicodedata.category(c) == "Sm" for c in self.charset], dtype=bool)
        self._pool: ThreadPoolExecutor | None = None

    def __call__(self, crops: Sequence[np.ndarray], rare_runner_up: float = RARE_RUNNER_UP) -> list[Recognised]:
        """Read each crop (grey, uint8) as one line of text; a GB 2312
        character at least ``rare_runner_up`` likely replaces a rarer first choice."""
        return self.finish(self.read(crops, rare_runner_up))

    def read(self, crops: Sequence[np.ndarray], rare_runner_up: float = RARE_RUNNER_UP) -> list[_Read | None]:
        """The model's reading of each crop, before the language prior's
        choice (``finish``, once every line of the page is read)."""
        prior = settings_module.current().prior
        read: list[_Read | None] = [None] * len(crops)
        ratios = [c.shape[1] / max(1, c.shape[0]) for c in crops]
        order = sorted(range(len(crops)), key=lambda i: ratios[i])
        batches = [order[k : k + REC_BATCH] for k in range(0, len(order), REC_BATCH)]
        # Widest first, so that no worker is left with a long run at the end.
        batches.reverse()

        def run(batch: list[int]) -> None:
            widths = [max(8, int(np.ceil(REC_HEIGHT * ratios[i]))) for i in batch]
            width = max(widths)
            # Padding is 0 after normalisation, as the model was trained.
            tensor = np.zeros((len(batch), 3, REC_HEIGHT, width), dtype=np.float32)
            for k, i in enumerate(batch):
                img = cv2.resize(crops[i], (widths[k], REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
                tensor[k, :, :, : widths[k]] = img.astype(np.float32) / 127.5 - 1.0
            preds = self.session.run(None, {self.input: tensor})[0]
            for k, i in enumerate(batch):
                read[i] = self._read(preds[k], width, widths[k], crops[i].shape[1], rare_runner_up, prior is not None)

        if self.workers <= 1 or len(batches) <= 1:
            for b in batches:
                run(b)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="jixiao-ocr")
            for _ in self._pool.map(run, batches):
                pass
        return read

    def finish(self, reads: Sequence[_Read | None]) -> list[Recognised]:
        """The page's lines as read, each doubtful character chosen by the
        language prior with the page's own sure text (``page_prior``)."""
        prior = settings_module.current().prior
        if prior is not None:
            prior = page_prior(prior, [r for r in reads if r is not None], self.charset, self.cjk)
        return [r.finish(self.charset, prior) if r is not None else Recognised("", 0.0, ()) for r in reads]

    def _read(
        self, pred: np.ndarray, width: int, resized_w: int, crop_w: int, rare_runner_up: float, weighed: bool
    ) -> _Read:
        """A crop's CTC columns, and (``weighed``) the candidates the language
        prior will choose between once the whole page is read."""
        idx, prob, cols = self._columns(pred, rare_runner_up)
        candidates, classes = self._candidates(pred, idx, prob, cols) if weighed and cols.size else ([], [])
        return _Read(idx, prob, cols, width / pred.shape[0] * crop_w / resized_w, candidates, classes)

    def _columns(self, pred: np.ndarray, rare_runner_up: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = pred.argmax(axis=1)
        prob = pred.max(axis=1)
        # A column more likely some ideograph than none, its mass split among
        # look-alikes (a fax's 窗: blank 0.26, 留 0.25, 隔 0.07, 窗 0.04),
        # holds one: its best class, if that is itself likely (most such
        # columns on a fax are strokes of a damaged glyph, every class
        # below 0.2), unless it would merge with a neighbour's. Signs are
        # left out: a speck's mass splits among them.
        for t in np.flatnonzero((idx == 0) & (pred[:, 0] < 0.5)):
            best = int(pred[t, 1:].argmax()) + 1
            if (
                pred[t, best] >= SPLIT_GLYPH_PROB
                and self.cjk[best] | self.rare[best]
                and (t == 0 or idx[t - 1] != best)
                and (t + 1 == len(idx) or idx[t + 1] != best)
            ):
                idx[t], prob[t] = best, pred[t, best]
        for t in np.flatnonzero(self.rare[idx]):
            # A common simplified character close behind wins.
            alt = np.where(self.rare | (np.arange(len(pred[t])) == 0), 0.0, pred[t])
            best = int(alt.argmax())
            if alt[best] >= rare_runner_up and _is_cjk(self.charset[best]):
                idx[t], prob[t] = best, prob[t] + alt[best]
        keep = idx != 0
        keep[1:] &= idx[1:] != idx[:-1]
        return idx, prob, np.flatnonzero(keep)

    def _candidates(
        self, pred: np.ndarray, idx: np.ndarray, prob: np.ndarray, cols: np.ndarray
    ) -> tuple[list[list[tuple[str, float]]], list[list[int]]]:
        """Each character's candidates for the language prior: a doubtful
        character's few best classes (a CJK character among CJK ones, a sign
        in front of a number among math signs: ≠ for =, £ for ≤), any other
        character alone. Digits and the punctuation inside numbers are never
        weighed: a number is what the ink says."""
        change = np.append(np.flatnonzero(np.diff(idx)) + 1, len(idx))
        ends = change[np.searchsorted(change, cols, side="right")]  # where each character's run ends
        text = [self.charset[j] if j < len(self.charset) else " " for j in idx[cols]]
        candidates: list[list[tuple[str, float]]] = []
        classes: list[list[int]] = []
        for k, t in enumerate(cols):
            j = int(idx[t])
            pool = None
            if prob[t] < PRIOR_SURE:
                if self.cjk[j] or self.rare[j]:  # a rare first choice (續 for 绩) among common ones
                    pool = self.cjk
                elif (
                    0 < k < len(text) - 1 and _is_cjk(text[k - 1][:1] or " ") and _is_cjk(text[k + 1][:1] or " ")
                    and not text[k].isdigit() and text[k] not in CJK_PUNCTUATION
                ):
                    pool = self.cjk  # a sign between two CJK characters (] for 工) may be one
                elif (
                    k + 1 < len(text) and text[k + 1].isdigit() and not (k and text[k - 1].isalnum())
                    and not text[k].isdigit()
                    and text[k] not in NUMBER_SIGNS
                ):
                    pool = self.math
            if pool is None:
                candidates.append([(text[k], float(prob[t]))])
                classes.append([j])
                continue
            v = pred[t : ends[k]].max(axis=0)
            top = np.argpartition(-v, PRIOR_CANDIDATES)[:PRIOR_CANDIDATES]
            alts = [int(c) for c in top[np.argsort(-v[top])] if c != j and v[c] >= PRIOR_MIN_PROB and pool[c]]
            candidates.append([(text[k], float(v[j]))] + [(self.charset[c], float(v[c])) for c in alts])
            classes.append([j, *alts])
        return candidates, classes


@dataclass
class _Read:
    """A crop as the model read it, before the language prior's choice."""

    idx: np.ndarray  # class per CTC column
    prob: np.ndarray
    cols: np.ndarray  # the columns that start a character
    to_crop: float  # crop pixels per CTC column
    candidates: list[list[tuple[str, float]]]  # per character (empty: not weighed)
    classes: list[list[int]]

    @property
    def score(self) -> float:
        """The mean probability of the characters as chosen so far (the model's, before ``finish``)."""
        return float(self.prob[self.cols].mean()) if self.cols.size else 0.0

    def finish(self, charset: list[str], prior: CharPrior | None) -> Recognised:
        idx, prob, cols = self.idx, self.prob, self.cols
        if cols.size == 0:
            return Recognised("", 0.0, ())
        if prior is not None and self.candidates:
            for k, (t, pick) in enumerate(zip(cols, prior.best_path(self.candidates))):
                if pick:
                    idx[t] = self.classes[k][pick]
                    prob[t] = self.candidates[k][pick][1]
        chars = [charset[j] if j < len(charset) else "" for j in idx[cols]]
        centres = tuple(float((c + 0.5) * self.to_crop) for c in cols)
        return Recognised("".join(chars), self.score, centres, tuple(float(p) for p in prob[cols]))


PAGE_COUNT_WEIGHT = 50  # a pair read surely on the page counts this many times the corpus's


def page_prior(prior: CharPrior | PriorFile, reads: Sequence[_Read], charset: list[str], cjk: np.ndarray) -> CharPrior:
    """The prior with the page's own sure text added: pairs of CJK
    characters both read at least PRIOR_SURE on this page (a name or a unit
    the page prints again: 公积金 in a housing fund's forms, which no other
    document's counts hold). It only weighs the candidates the model gave;
    it never adds a character."""
    pairs: dict[str, int] = {}
    for r in reads:
        sure = [charset[j] if r.prob[t] >= PRIOR_SURE and cjk[j] else "" for t in r.cols for j in (int(r.idx[t]),)]
        for a, b in itertools.pairwise(sure):
            if a and b:
                pairs[a + b] = pairs.get(a + b, 0) + 1
    base = prior.counts() if isinstance(prior, PriorFile) else prior
    return base.with_pairs(pairs, PAGE_COUNT_WEIGHT) if pairs else base


PRIOR_SURE = 0.99  # a character read at least this surely is not weighed
SPLIT_GLYPH_PROB = 0.2  # a blank column's best ideograph this likely is a character (see _columns)
PRIOR_CANDIDATES = 8  # the best classes per character, ...
PRIOR_MIN_PROB = 0.003  # ... those read at least this likely
NUMBER_SIGNS = "()（）[]-.,:;%/+"  # in front of a digit, part of what is printed
CJK_PUNCTUATION = "，、。：；！？,.:;!?/（）()《》“”‘’\"'-—·…%～~"  # printed between CJK characters


def _return_freed_memory() -> None:
    """Have glibc hand large freed blocks back to the system.

    The recogniser allocates its activations per crop, in every width; with
    glibc's default, the mmap threshold rises after the first large free and
    later activations come from a heap that only grows (measured: 700 MB
    peak on a page of 140 crops, under 300 MB with a fixed one). Elsewhere
    (not glibc) this does nothing."""
    heap.set_mmap_threshold(MMAP_THRESHOLD_BYTES)


MMAP_THRESHOLD_BYTES = 16 * 1024 * 1024  # a fixed threshold: lower ones cost CPU in page faults


def recognizer() -> Recognizer:
    """The process's recogniser (loaded on first use, ~0.2 s; a forked child
    loads its own: its parent's worker threads did not come along)."""
    global _recognizer, _recognizer_pid
    if _recognizer is None or _recognizer_pid != os.getpid():
        with _lock:
            if _recognizer is None or _recognizer_pid != os.getpid():
                _return_freed_memory()
                _recognizer = Recognizer()
                _recognizer_pid = os.getpid()
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


FULL_WIDTH = {":": "：", ";": "；", ",": "，", "?": "？", "!": "！", "o": "。", "O": "。"}


def fix_punctuation(text: str, context: str = "") -> str:
    """ASCII : ; , ? ! next to CJK text -> the full-width forms printed there,
    and a full stop read as "o" after CJK -> 。.

    (The model reads both forms and confuses them; a comma between digits
    stays ASCII.) ``context`` is the character before the text (the end of
    the previous line of a wrapped cell).
    """
    chars = list(text)
    for i, ch in enumerate(chars):
        full = FULL_WIDTH.get(ch)
        if full is None:
            continue
        before = next((c for c in reversed(chars[:i]) if not c.isspace()), context)
        after = next((c for c in chars[i + 1 :] if not c.isspace()), "")
        if ch in "oO":
            # A full stop read as a letter: only after CJK, at the end or before CJK.
            if before and _is_cjk(before) and (not after or _is_wide(after)):
                chars[i] = full
        elif ch == ",":
            if before and _is_wide(before) or (after and _is_wide(after) and not before.isdigit()):
                chars[i] = full
        elif (before and _is_wide(before)) or (after and _is_wide(after)):
            chars[i] = full
    return "".join(chars)


# Spaces come from blanks in the ink, measured in ems between neighbouring
# characters. How wide a blank is without a space depends on the font: a
# proportional Latin font leaves ~0.05 em beside a digit or a bracket, a CJK
# font's half-width "(" or "." sits in a wide advance with ~0.2 em on each
# side. So each page is its own reference: the blank on each side of each
# kind of glyph (digit, letter, CJK, "(", ".", ...) is estimated from pairs
# that never hold a space (inside numbers: 1.5, 720,000; inside brackets:
# "(%" and "%)"; digit-CJK, where spaces are rare), then from any pair whose
# other side is known, brackets being taken as symmetric. A pair is a space
# when its blank exceeds the sum of the two sides by SPACE_MARGIN.
SPACE_MARGIN = 0.2
SPACE_FLOOR = 0.25  # never a space below this blank
BILEVEL_SPACE_MARGIN = 0.12  # ... before an opening bracket on a fax (see read_image)
BILEVEL_SPACE_FLOOR = 0.2
SPACE_MIN_SAMPLES = 3
SIDE_DEFAULT = {"d": 0.05, "1": 0.1, "L": 0.05, "C": 0.06, ".": 0.08}  # proportional fonts' sides, in ems
SIDE_OTHER = 0.06
# Full-width punctuation carries half an em of blank in its glyph: next to it,
# a space shows as that blank plus a Latin space.
PUNCT_SPACE_GAP = 0.95


def _is_fullwidth_punct(ch: str) -> bool:
    cp = ord(ch)
    return 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFF65 or ch in "“”‘’…—·"


def _kind(ch: str) -> str:
    if _is_wide(ch):
        return "C"
    if ch == "1":
        return "1"  # tabular figures: a narrow 1 in a digit's advance has wide sides
    if ch.isdigit():
        return "d"
    if ch.isalpha():
        return "L"
    if ch in ",:;":
        return "."  # the same narrow low glyph, the same blanks
    return ch


def _pairs(rec: Recognised, cols: np.ndarray, em: float) -> list[tuple[str, str, float]]:
    """Neighbouring visible characters and the widest blank between their
    centres, in ems."""
    visible = [(c, x) for c, x in zip(rec.text, rec.centres) if not c.isspace()]
    out = []
    for (a, xa), (b, xb) in itertools.pairwise(visible):
        lo, hi = int(min(xa, xb)), int(max(xa, xb)) + 1
        out.append((a, b, _widest_gap(cols[max(0, lo) : max(0, min(len(cols), hi))]) / em))
    return out


class SpaceModel:
    """Blank widths that mean "space", learnt from one page's lines."""

    def __init__(
        self, pairs: Iterable[tuple[str, str, float]] = (), margin: float = SPACE_MARGIN, floor: float = SPACE_FLOOR
    ) -> None:
        self.margin, self.floor = margin, floor
        by_kind: dict[tuple[str, str], list[float]] = {}
        for a, b, gap in pairs:
            if _is_wide(a) and _is_wide(b) or _is_fullwidth_punct(a) or _is_fullwidth_punct(b):
                continue
            by_kind.setdefault((_kind(a), _kind(b)), []).append(gap)
        med = {k: float(np.median(v)) for k, v in by_kind.items() if len(v) >= SPACE_MIN_SAMPLES}
        right: dict[str, float] = {}  # blank a glyph kind leaves on its right
        left: dict[str, float] = {}
        d = med.get(("d", "d"), 2 * SIDE_DEFAULT["d"]) / 2
        right["d"] = left["d"] = d
        if ("L", "L") in med:
            right["L"] = left["L"] = med[("L", "L")] / 2
        # Next to digits, where no space goes: inside numbers, CJK-digit.
        for kind in ("1", ".", "C", "%", ")", "-", "/"):
            if ("d", kind) in med:
                left[kind] = max(0.0, med[("d", kind)] - d)
        for kind in ("1", ".", "C", "(", "-", "/"):
            if (kind, "d") in med:
                right[kind] = max(0.0, med[(kind, "d")] - d)
        # Brackets: inner sides from what they enclose, outer side = inner.
        inner_open = [v for (x, y), v in med.items() if x == "(" and y != "("]
        inner_close = [v for (x, y), v in med.items() if y == ")" and x != ")"]
        if "(" not in right and inner_open:
            right["("] = max(0.0, float(np.median(inner_open)) - d)
        if ")" not in left and inner_close:
            left[")"] = max(0.0, float(np.median(inner_close)) - d)
        # Any other side: from every pair whose other side is known (spaces
        # being rare, the median is the side's own blank).
        rest_r: dict[str, list[float]] = {}
        rest_l: dict[str, list[float]] = {}
        for (x, y), gaps in by_kind.items():
            if x not in right and y in left:
                rest_r.setdefault(x, []).extend(g - left[y] for g in gaps)
            if y not in left and x in right:
                rest_l.setdefault(y, []).extend(g - right[x] for g in gaps)
        for kind, v in rest_r.items():
            if len(v) >= SPACE_MIN_SAMPLES:
                right[kind] = max(0.0, float(np.median(v)))
        for kind, v in rest_l.items():
            if len(v) >= SPACE_MIN_SAMPLES:
                left[kind] = max(0.0, float(np.median(v)))
        if "(" in right:
            left["("] = right["("]
        if ")" in left:
            right[")"] = left[")"]
        self.right, self.left = right, left

    def usual(self, a: str, b: str) -> float:
        """The blank expected between a and b when no space separates them."""
        ka, kb = _kind(a), _kind(b)
        return self.right.get(ka, SIDE_DEFAULT.get(ka, SIDE_OTHER)) + self.left.get(
            kb, SIDE_DEFAULT.get(kb, SIDE_OTHER)
        )

    def is_space(self, a: str, b: str, gap: float) -> bool:
        if _is_wide(a) and _is_wide(b):
            return False  # justified CJK has wide gaps that are not spaces
        if _is_fullwidth_punct(a) or _is_fullwidth_punct(b):
            return gap >= PUNCT_SPACE_GAP
        if a in "(（" or b in "(（":
            return gap >= max(self.floor, self.usual(a, b) + self.margin)
        return gap >= max(SPACE_FLOOR, self.usual(a, b) + SPACE_MARGIN)


FULLWIDTH_PAREN_GAP = 0.42  # a bracket this far from the CJK character outside it is a full-width one
HALFWIDTH_PAREN_GAP = 0.3  # ... this close, a half-width one
OPEN_CLOSE = {"(": "（", ")": "）"}
HALF = {v: k for k, v in OPEN_CLOSE.items()}


def place_spaces(rec: Recognised, cols: np.ndarray, em: float, model: SpaceModel | None = None) -> str:
    """The line's text with a space wherever the ink's blank says so (the
    model's own spaces are not trusted: it hears them in wide gaps), and
    brackets next to CJK text as wide as their blank shows (（元） vs (元): a
    full-width bracket keeps half an em of blank on its outer side)."""
    model = model or SpaceModel()
    pairs = _pairs(rec, cols, em)
    chars = [c for c in rec.text if not c.isspace()]
    if not chars:
        return ""
    spaced = [False] * len(chars)
    decided: dict[int, str] = {}  # bracket index -> "full" | "half", from its outer blank
    for k, (a, b, gap) in enumerate(pairs):
        outer = None
        if b in "(（" and _is_cjk(a):
            outer = k + 1
        elif a in ")）" and _is_cjk(b):
            outer = k
        if outer is not None and gap >= FULLWIDTH_PAREN_GAP:
            decided[outer] = "full"
            continue
        if outer is not None and gap < HALFWIDTH_PAREN_GAP:
            decided[outer] = "half"
        a2 = HALF.get(a, a) if decided.get(k) == "half" else a
        b2 = HALF.get(b, b) if decided.get(k + 1) == "half" else b
        spaced[k + 1] = model.is_space(a2, b2, gap) and not _inside_number(chars, k)
    for i, how in list(decided.items()):
        partner = _partner(chars, i)
        for j in (i, partner):
            if j is not None:
                ch = chars[j]
                chars[j] = OPEN_CLOSE.get(ch, ch) if how == "full" else HALF.get(ch, ch)
    return "".join((" " if spaced[i] else "") + c for i, c in enumerate(chars))


def _inside_number(chars: list[str], k: int) -> bool:
    """Is the blank after ``chars[k]`` inside a number: at a decimal point
    with one or two digits after it ("270. 00"), or at a thousands
    separator with three ("2, 134.87")? No space is printed there; the
    point's own blank reads as one. ("2. 2022年" is a list number and a year.)"""

    def digits_after(i: int) -> int:
        n = 0
        while i + n < len(chars) and chars[i + n].isdigit():
            n += 1
        return n

    for point in (k, k + 1):  # the blank before or after the sign
        if not (0 < point < len(chars) - 1) or chars[point] not in ".,":
            continue
        if not chars[point - 1].isdigit():
            continue
        after = digits_after(point + 1)
        if (chars[point] == "." and 1 <= after <= 2) or (chars[point] == "," and after == 3):
            return True
    return False


def _partner(chars: list[str], i: int) -> int | None:
    """The index of the bracket matching the one at ``i``."""
    opening = chars[i] in "(（"
    depth = 0
    rng = range(i, len(chars)) if opening else range(i, -1, -1)
    for j in rng:
        c = chars[j]
        if c in ("(（" if opening else ")）"):
            depth += 1
        elif c in (")）" if opening else "(（"):
            depth -= 1
            if depth == 0:
                return j
    return None


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

    def __init__(self, settings: preprocess.ScanSettings | None = None) -> None:
        self.settings = settings or preprocess.ScanSettings()

    def read_page(self, source: PdfSource, index: int, info: PageInfo) -> PageContent:
        page = source.pdfium[index]
        try:
            # Measured in points of the visible page (CropBox, UserUnit).
            img = preprocess.prepare(pagebox.in_points(page, pagebox.page_unit(source, index)), self.settings)
        finally:
            page.close()
        return read_image(img, index + 1, info, orient=self.settings.orient)


def _describe(img: raster.PageImage, info: PageInfo) -> PageInfo:
    notes = list(img.steps)
    if img.stamps:
        notes.append(f"{len(img.stamps)} seal{'s' if len(img.stamps) > 1 else ''} taken out")
    if not notes:
        return info
    reason = "; ".join(([info.reason] if info.reason else []) + notes)
    return PageInfo(info.number, info.text_layer, info.method, reason, tuple(img.stamps))


def _read_upright_or_turned(jobs: Sequence[_Job], rare: float) -> list[Recognised] | None:
    """The page's lines read, or None: the page reads better turned by 180°.
    Up to FLIP_PROBES of its cell lines of a few characters are read first;
    an upright page reads them confidently, and they are read no second
    time (the page's other lines follow, and the language prior weighs all
    of them together); otherwise they are read turned. Asked before the
    page is read, so that an upside-down page is read once (turned), not twice."""
    rec = recognizer()
    probes = [
        k
        for k, j in enumerate(jobs)
        if j.owner is not None and FLIP_MIN_RATIO <= j.crop.shape[1] / max(1, j.crop.shape[0]) <= FLIP_MAX_RATIO
    ][:FLIP_PROBES]
    if len(probes) < 3:
        return rec([j.crop for j in jobs], rare)
    first = rec.read([jobs[k].crop for k in probes], rare)
    upright = float(np.mean([r.score if r is not None else 0.0 for r in first]))
    if upright < FLIP_UPRIGHT_SCORE:
        turned = rec([np.ascontiguousarray(jobs[k].crop[::-1, ::-1]) for k in probes], rare)
        if float(np.mean([r.score for r in turned])) >= upright + FLIP_MARGIN:
            return None
    probed = dict(zip(probes, first, strict=True))
    rest = [k for k in range(len(jobs)) if k not in probed]
    reads = dict(zip(rest, rec.read([jobs[k].crop for k in rest], rare), strict=True)) if rest else {}
    return rec.finish([probed[k] if k in probed else reads[k] for k in range(len(jobs))])


def read_image(img: raster.PageImage, number: int, info: PageInfo, orient: bool = False) -> PageContent:
    """OCR one page image (already deskewed); with ``orient``, a page found
    upside down is turned and read again."""
    s = img.scale
    rules = raster.find_rules(img)
    grids = closed_sides(rules.grid_segments)
    glyphs: list[Grid] = []  # "grids" that are strokes of large type (a fax's cover line)
    if img.bilevel:
        outer = _outermost(grids)
        is_glyph = [_glyph_grid(g) for g in outer]
        grids = [g for g, glyph in zip(outer, is_glyph) if not glyph]
        glyphs = [g for g, glyph in zip(outer, is_glyph) if glyph]
    lines_px = raster.rule_mask(rules, grids, s)
    if img.bilevel:
        lines_px = cv2.bitwise_or(lines_px, raster.grid_lines(grids, s, lines_px.shape))
    grainy = img.contrast >= GRAINY_CONTRAST
    stub = round(STUB_BAND_PT * s) if img.bilevel else 0
    ink = raster.text_ink(rules.binary, lines_px, min_area=6 if grainy else 3, grainy=grainy, stub_band=stub)
    min_ink = 0.8 if grainy else 0.3  # ems of stroke below which a "line" is a speck
    clean_gray = img.gray.copy()
    clean_gray[lines_px > 0] = 255
    if img.bilevel:
        clean_gray = soften_bilevel(clean_gray, s)
    h, w = img.gray.shape

    jobs: list[_Job] = []
    for gi, grid in enumerate(grids):
        for ci, cell in enumerate(grid.cells):
            box = _px_box(cell.bbox, s, w, h, inset=1)
            raster.clear_edge_rules(ink, box, s)
            for strip in raster.text_strips(ink, box, s, min_ink=min_ink, speck_em=BILEVEL_GAP_INK_EM if img.bilevel else 0.0):
                jobs.append(_make_job(clean_gray, ink, strip, box, (gi, ci)))

    # Free text: everything outside the tables, without lines that are on
    # no table (a scanner bed's edge, a fold): they would join every line
    # of the page into one band.
    outside = ink.copy()
    outside[(rules.hlabels > 0) | (rules.vlabels > 0)] = 0
    for grid in glyphs:  # their "rules" are the strokes of the line's glyphs: kept, or the line falls apart
        x0, top, x1, bottom = _px_box(grid.bbox, s, w, h, inset=-3)
        outside[top:bottom, x0:x1] = ink[top:bottom, x0:x1]
    for grid in grids:
        x0, top, x1, bottom = _px_box(grid.bbox, s, w, h, inset=-3)
        outside[top:bottom, x0:x1] = 0
    for strip in raster.text_strips(outside, (0, 0, w, h), s, split_words=True, min_ink=min_ink):
        if strip.bottom - strip.top < FREE_MIN_HEIGHT_PT * s:
            continue  # a streak (a photo's edge in shadow): no line of text, and as wide as the page, costly to read
        jobs.append(_make_job(clean_gray, outside, strip, (0, 0, w, h), None))

    # On a fax the model often prefers a traditional or rare form (數, 體, 況)
    # to the simplified character printed, with it only a little behind.
    rare = BILEVEL_RARE_RUNNER_UP if img.bilevel else RARE_RUNNER_UP
    results = (_read_upright_or_turned(jobs, rare) if orient else recognizer()([j.crop for j in jobs], rare)) if jobs else []
    if results is None:
        turned = raster.PageImage(
            np.ascontiguousarray(img.gray[::-1, ::-1]),
            s,
            img.angle,
            img.contrast,
            img.bilevel,
            tuple((w / s - x1, h / s - y1, w / s - x0, h / s - y0) for x0, y0, x1, y1 in img.stamps),
            (*img.steps, "turned 180°"),
        )
        return read_image(turned, number, info, orient=False)
    info = _describe(img, info)

    em = _font_size_px(jobs, results, s)
    results = _reread_lone_glyphs(jobs, results, clean_gray)
    if img.bilevel:
        results = _reread_bracketed(jobs, results)

    # Punctuation first (one character for one), so a full-width colon's
    # blank half is not taken for a space; a cell's lines come top to bottom.
    last_char: dict[tuple[int, int], str] = {}
    fixed: list[Recognised] = []
    for job, rec in zip(jobs, results):
        context = last_char.get(job.owner, "") if job.owner is not None else ""
        rec = trim_specks(rec, job.cols, em, BILEVEL_SPECK_PROB if img.bilevel else SPECK_PROB, dots=img.bilevel)
        rec = Recognised(fix_punctuation(rec.text, context), rec.score, rec.centres, rec.probs)
        rec = _lone_bars(rec, job, ink, em, clean_gray)
        if job.owner is not None and rec.text.strip():
            last_char[job.owner] = rec.text.strip()[-1]
        fixed.append(rec)
    ems = [_line_em(job, em) for job in jobs]
    body = em
    pairs = (p for job, rec, e in zip(jobs, fixed, ems) for p in _pairs(rec, job.cols, e))
    # On a fax a blank is a few pixels, each one ~0.05 em: a space before
    # an opening bracket ("95 (%)") is one there from a smaller margin.
    spaces = SpaceModel(pairs, BILEVEL_SPACE_MARGIN, BILEVEL_SPACE_FLOOR) if img.bilevel else SpaceModel(pairs)

    # On a fax, a mark too small to be a line, in a cell that holds lines of
    # text, is a speck however surely it reads ("1", "·", "。").
    # So is a "line" made of specks and streaks only, whatever it reads as
    # ("二", "土", ". :", "8 8"): no mark in it is the size of a glyph.
    specks = [img.bilevel and _speck_line(ink, j.strip, e) for j, e in zip(jobs, ems)]
    texted = {
        j.owner for j, e, sp in zip(jobs, ems, specks) if j.owner is not None and not _small(j.strip, e) and not sp
    }
    per_cell: dict[tuple[int, int], list[tuple[Line, float]]] = {}
    free: list[TextLine] = []
    for job, rec, e, sp in zip(jobs, fixed, ems, specks):
        text = place_spaces(rec, job.cols, e, spaces)
        if not text.strip():
            continue
        st = job.strip
        if _is_speck(st, rec, e):
            continue
        if img.bilevel and job.owner in texted and _small(st, e) and not any(_is_cjk(c) for c in rec.text):
            continue
        if sp and job.owner in texted:
            continue
        if job.owner is None:
            if rec.score < FREE_MIN_SCORE or (st.bottom - st.top) < FREE_MIN_HEIGHT_PT * s:
                continue
            if st.x1 - st.x0 < FREE_MIN_WIDTH_EM * e or st.bottom - st.top > FREE_MAX_HEIGHT_EM * body:
                continue  # a streak or a speck, or an edge or a photo's border: not a line of text
            bbox = (st.x0 / s, st.top / s, st.x1 / s, st.bottom / s)
            free.append(TextLine(clean(text), number, bbox))
            continue
        line = _pseudo_line(text, st.x0 / s, st.top / s, st.x1 / s, st.bottom / s)
        per_cell.setdefault(job.owner, []).append((line, rec.score))

    tables = []
    for gi, grid in enumerate(grids):
        texts, confs = _cell_texts(grid, gi, per_cell)
        tables.append(table_from_grid(grid, number, texts, confs, method="ocr"))
    if img.bilevel:
        free = _without_fax_header(free, img.height_pt)
    free.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return PageContent(info, img.width_pt, img.height_pt, tuple(tables), tuple(free))


def closed_sides(segs: Sequence[Segment], tol: float = SNAP) -> list[Grid]:
    """The page's grids, without a first or last row band that neither side
    of the table's frame runs along. A table's outline is closed at its
    sides, even where a page break leaves its top or bottom open; a band
    open at both sides is strokes of the title above it (a bold title's
    bars pass for rules on a fax, and joined to the table's top rule they
    add a row across the whole table, which hides its header)."""
    segs = list(segs)
    for _ in range(MAX_BAND_CUTS):
        grids = build_grids(segs)
        cut = next((band for g in grids if (band := _open_band(g, segs, tol)) is not None), None)
        if cut is None:
            return grids
        segs = _without_band(segs, cut, tol)
    return build_grids(segs)


MAX_BAND_CUTS = 4


def _open_band(g: Grid, segs: Sequence[Segment], tol: float) -> tuple[float, float, float, float, bool] | None:
    """(x0, x1, top, bottom, at the top?) of an end band of ``g`` open at both sides, if any."""
    if len(g.row_edges) < 3:
        return None
    x0, x1 = g.col_edges[0], g.col_edges[-1]
    for at_top in (True, False):
        a, b = (g.row_edges[0], g.row_edges[1]) if at_top else (g.row_edges[-2], g.row_edges[-1])

        def side(x: float, a: float = a, b: float = b) -> bool:
            return any(
                not s.horizontal and abs(s.x0 - x) <= tol and s.top <= a + tol and s.bottom >= b - tol for s in segs
            )

        if not side(x0) and not side(x1):
            return x0, x1, a, b, at_top
    return None


def _without_band(segs: Sequence[Segment], band: tuple[float, float, float, float, bool], tol: float) -> list[Segment]:
    """The segments with what lies in an open end band taken out (verticals
    reaching into it from the table cut back to its edge); nothing outside
    the band changes."""
    x0, x1, a, b, at_top = band
    out = []
    for s in segs:
        if s.x1 < x0 - tol or s.x0 > x1 + tol or s.bottom < a - tol or s.top > b + tol:
            out.append(s)
        elif s.horizontal:
            if (s.top < b - tol) if at_top else (s.top > a + tol):
                continue
            out.append(s)
        elif at_top:
            if s.bottom <= b + tol:
                continue
            out.append(Segment(s.x0, max(s.top, b), s.x1, s.bottom))
        else:
            if s.top >= a - tol:
                continue
            out.append(Segment(s.x0, s.top, s.x1, min(s.bottom, a)))
    return out


GLYPH_GRID_MAX_PT = (160.0, 30.0)  # a fax's "grid" no larger than this (wide, tall) ...
GLYPH_GRID_MAX_ROWS = 3  # ... of at most this many rows is strokes of large characters
GLYPH_GRID_ROW_PT = 7.0  # ... and so is one whose rows are, in the median, lower than this (no line of text fits)


def _glyph_grid(g: Grid) -> bool:
    """Strokes of a title or cover line in large bold type, which a fax
    thresholds into bars that pass for rules and cross into a small grid:
    as a table it would take the line's ink as its rules (the title lost
    from the free text). No form is a table this small, nor one whose rows
    are mostly lower than a line of text: the bars of a dense bold line
    (职业教育基地综合) or of a cover's 人民政府办公室 at 36 pt (a "grid" 245 pt
    wide, of rows 2 to 8 pt high)."""
    x0, top, x1, bottom = g.bbox
    if x1 - x0 <= GLYPH_GRID_MAX_PT[0] and bottom - top <= GLYPH_GRID_MAX_PT[1] and len(g.row_edges) - 1 <= GLYPH_GRID_MAX_ROWS:
        return True
    return float(np.median(np.diff(g.row_edges))) < GLYPH_GRID_ROW_PT


def _outermost(grids: Sequence[Grid], slack: float = 2.0) -> list[Grid]:
    """Grids not lying inside another grid's outline. On a fax, bold dense
    text thresholds into strokes long enough to pass for rules, and a few of
    them cross into a small "grid" inside a cell of the real table."""
    def inside(a: Grid, b: Grid) -> bool:
        ax0, at, ax1, ab = a.bbox
        bx0, bt, bx1, bb = b.bbox
        return a is not b and bx0 - slack <= ax0 and ax1 <= bx1 + slack and bt - slack <= at and ab <= bb + slack

    return [g for g in grids if not any(inside(g, other) for other in grids)]


def _without_fax_header(free: list[TextLine], height: float) -> list[TextLine]:
    """A fax's header line (TTI: date, sender's number, page of pages),
    printed by the machine along the top edge, above everything: a line of
    Latin letters and digits only, within FAX_HEADER_SHARE of the top."""
    return [
        ln
        for ln in free
        if not (ln.bbox[3] <= FAX_HEADER_SHARE * height and not any(_is_wide(c) for c in ln.text))
    ]


def soften_bilevel(gray: np.ndarray, scale: float) -> np.ndarray:
    """The recogniser was trained on anti-aliased text: soften the fax's
    jagged two-level strokes."""
    return cv2.GaussianBlur(gray, (0, 0), BILEVEL_SOFTEN_PX)


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
        max(0, round(x0 * s) + inset),
        max(0, round(top * s) + inset),
        min(w, round(x1 * s) - inset),
        min(h, round(bottom * s) - inset),
    )


def _make_job(
    gray: np.ndarray, ink: np.ndarray, st: raster.Strip, box: tuple[int, int, int, int], owner: tuple[int, int] | None
) -> _Job:
    """A crop of one line with a white margin, cut at the cell's edges."""
    lh = st.bottom - st.top
    my = max(2, round(MARGIN_Y * lh))
    mx = max(3, round(MARGIN_X * lh))
    bx0, btop, bx1, bbot = box
    y0, y1 = max(btop, st.top - my), min(bbot, st.bottom + my)
    x0, x1 = max(bx0, st.x0 - mx), min(bx1, st.x1 + mx)
    crop = gray[y0:y1, x0:x1].copy()
    # Rows outside the strip (a neighbouring line's descenders) are whitened;
    # columns are kept: the cell's edges already bound them.
    crop[: st.top - y0] = 255
    crop[st.bottom - y0 :] = 255
    crop = cv2.copyMakeBorder(
        crop,
        my - (st.top - y0),
        my - (y1 - st.bottom),
        mx - (st.x0 - x0),
        mx - (x1 - st.x1),
        cv2.BORDER_CONSTANT,
        value=255,
    )
    # A crop of one or two characters reads badly (a lone ≥ comes back as V):
    # give it room.
    extra = max(0, int(np.ceil(MIN_CROP_RATIO * crop.shape[0])) - crop.shape[1])
    if extra:
        crop = cv2.copyMakeBorder(crop, 0, 0, extra // 2, extra - extra // 2, cv2.BORDER_CONSTANT, value=255)
    left = mx + extra // 2
    cols = np.zeros(crop.shape[1], dtype=np.int32)
    cols[left : left + (st.x1 - st.x0)] = (ink[st.top : st.bottom, st.x0 : st.x1] > 0).sum(axis=0)
    return _Job(st, crop, cols, owner)


def _reread_lone_glyphs(jobs: Sequence[_Job], results: list[Recognised], gray: np.ndarray) -> list[Recognised]:
    """A line that is one sign (a lone ≥ in an operator column) reads badly
    alone: the model, trained on lines, takes ≥ for W. Read three copies side
    by side; when they come back as one character three times, that is it."""
    lone = [
        k
        for k, (job, rec) in enumerate(zip(jobs, results))
        if job.owner is not None
        and job.strip.x1 - job.strip.x0 <= LONE_GLYPH_RATIO * (job.strip.bottom - job.strip.top)
        and len(rec.text.strip()) <= 1
        and not (rec.text.strip() and _is_cjk(rec.text.strip()) and rec.score >= 0.9)
    ]
    if not lone:
        return results
    crops = []
    for k in lone:
        st = jobs[k].strip
        pad = max(2, (st.bottom - st.top) // 8)
        glyph = _strip_crop(gray, st, pad)
        gap = _blank_gap(glyph.shape[0])
        row = np.hstack([gap, glyph, gap, glyph, gap, glyph, gap])
        crops.append(cv2.copyMakeBorder(row, pad * 2, pad * 2, 0, 0, cv2.BORDER_CONSTANT, value=255))
    out = list(results)
    for k, rec in zip(lone, recognizer()(crops)):
        t = rec.text.replace(" ", "")
        # A different sign is taken unless the three copies read far less
        # surely than the one did (a small "7" against the cell's rule reads "nnn").
        surely = rec.score >= min(out[k].score, LONE_REREAD_SURE)
        if len(t) == 3 and len(set(t)) == 1 and (t[0] != out[k].text.strip() and surely or rec.score > out[k].score):
            out[k] = _lone_sign(out[k], jobs[k], t[0], rec.score)
    return _read_beside_a_number(jobs, out, lone, gray)


NUMBER_CONTEXT_SURE = 0.98  # a number read at least this surely lends its context ...
SIGN_IN_CONTEXT_SURE = 0.9  # ... and a sign read before it this surely is the sign


def _read_beside_a_number(jobs: Sequence[_Job], results: list[Recognised], lone: list[int], gray: np.ndarray) -> list[Recognised]:
    """Each lone sign read again beside a number the page prints (a cell's
    "68" read surely, scaled to the sign's height), before it and after it:
    as printed in a value, "⩾68" or "68%", the model knows the sign it takes
    for "M", "W" or "S" alone. Taken from the surer of the two readings that
    are one sign and exactly that number."""
    numbers = [
        k
        for k, (job, rec) in enumerate(zip(jobs, results))
        if job.owner is not None and regex.fullmatch(r"[0-9]{2,4}", rec.text.strip()) and rec.score >= NUMBER_CONTEXT_SURE
    ]
    if not numbers or not lone:
        return results
    crops: list[np.ndarray] = []
    asked: list[tuple[int, str, bool]] = []  # (job, the number's text, sign first?)
    for k in lone:
        st = jobs[k].strip
        height = st.bottom - st.top
        n = min(numbers, key=lambda j: abs((jobs[j].strip.bottom - jobs[j].strip.top) - height))
        ns = jobs[n].strip
        pad = max(2, height // 8)
        glyph, number = _strip_crop(gray, st, pad), _strip_crop(gray, ns, pad)
        if glyph.size == 0 or number.size == 0:
            continue
        f = glyph.shape[0] / number.shape[0]
        number = cv2.resize(number, (max(1, round(number.shape[1] * f)), glyph.shape[0]), interpolation=cv2.INTER_AREA)
        gap = _blank_gap(glyph.shape[0])
        for first in (True, False):
            row = np.hstack([gap, glyph, number, gap] if first else [gap, number, glyph, gap])
            crops.append(cv2.copyMakeBorder(row, pad * 2, pad * 2, 0, 0, cv2.BORDER_CONSTANT, value=255))
            asked.append((k, results[n].text.strip(), first))
    best: dict[int, tuple[str, float]] = {}
    for (k, number_text, first), rec in zip(asked, recognizer()(crops)):
        t = rec.text.replace(" ", "")
        if len(t) != len(number_text) + 1 or rec.score < SIGN_IN_CONTEXT_SURE:
            continue
        if not (t.endswith(number_text) if first else t.startswith(number_text)):
            continue
        sign = t[0] if first else t[-1]
        if sign.isdigit() or rec.score <= best.get(k, ("", 0.0))[1]:
            continue
        best[k] = (sign, rec.score)
    out = list(results)
    for k, (sign, score) in best.items():
        if sign != out[k].text.strip() or score > out[k].score:
            out[k] = _lone_sign(out[k], jobs[k], sign, score)
    return out


def _strip_crop(gray: np.ndarray, st: raster.Strip, pad: int) -> np.ndarray:
    """A strip's pixels with ``pad`` of the page around them (as far as the page goes)."""
    return gray[max(0, st.top - pad) : st.bottom + pad, max(0, st.x0 - pad) : st.x1 + pad]


def _blank_gap(height: int) -> np.ndarray:
    """Paper between two glyphs set side by side for the model: a third of their height."""
    return np.full((height, max(3, height // 3)), 255, np.uint8)


def _lone_sign(old: Recognised, job: _Job, sign: str, score: float) -> Recognised:
    """A lone glyph's line read again as ``sign``, at the first reading's place."""
    return Recognised(sign, score, old.centres[:1] or (float(len(job.cols)) / 2,), (score,))


LONE_REREAD_SURE = 0.5


def _small(st: raster.Strip, em: float) -> bool:
    """A "line" smaller than half an em both ways."""
    return st.x1 - st.x0 < SPECK_GAP_EM * 1.3 * em and st.bottom - st.top < SPECK_GAP_EM * 1.3 * em


_BRACKETED_DIGITS = regex.compile(r"[(（](?![%][)）])([0-9%]{1,2})[)）]")  # "(%)" itself is whole
_OPENING = {")": "(", "）": "（"}


@dataclass(frozen=True)
class _Bracket:
    """Where a line's bracketed sign is damaged: ``text[start:end]`` is to
    be replaced by an opening bracket, the sign and the closing one."""

    start: int
    end: int
    opening: str
    closing: str


def _damaged_bracket(rec: Recognised) -> _Bracket | None:
    """A bracketed sign (%) as a fax damages it: blurred into digits
    ("(96)", "(9)", "(%6)"), or its opening bracket lost or broken into
    pieces that read as doubtful characters ("%)", "0059%)" for "00(%)":
    a closing bracket after a sign, no opening one before it)."""
    if len(rec.centres) != len(rec.text):
        return None
    m = _BRACKETED_DIGITS.search(rec.text)
    if m is not None:
        return _Bracket(m.start(), m.end(), m[0][0], m[0][-1])
    text = rec.text
    i = next((k for k, c in enumerate(text) if c in _OPENING), -1)
    if i < 2 or len(rec.probs) != len(text) or any(c in "(（" for c in text[:i]):
        return None
    sign = text[i - 1]
    if sign.isalnum() or sign.isspace() or _is_cjk(sign):
        return None
    j = i - 1
    while j > i - 1 - LOST_BRACKET_PIECES and j > 0 and not text[j - 1].isspace() and rec.probs[j - 1] < LOST_BRACKET_PIECE_PROB:
        j -= 1
    return _Bracket(j, i + 1, _OPENING[text[i]], text[i])


def _reread_bracketed(jobs: Sequence[_Job], results: list[Recognised]) -> list[Recognised]:
    """On a fax a bracketed sign is damaged (see ``_damaged_bracket``).
    Such a line is read again softer (its strokes' jags smoothed further);
    when that reading puts one sign, not digits, between brackets, and
    agrees with the first on what follows them and on the two characters
    before them, the brackets and the sign are taken from it."""
    damaged = {k: _damaged_bracket(rec) for k, (job, rec) in enumerate(zip(jobs, results)) if job.owner is not None}
    picked = [k for k, b in damaged.items() if b is not None]
    if not picked:
        return results
    softer = [cv2.GaussianBlur(jobs[k].crop, (0, 0), BRACKET_SOFTEN_PX) for k in picked]
    out = list(results)
    for k, rec in zip(picked, recognizer()(softer)):
        old, b = out[k], damaged[k]
        assert b is not None
        m_new = regex.search(r"[(（]([^0-9\s(（)）])[)）]", rec.text)
        if m_new is None or rec.text[m_new.end() :] != old.text[b.end :]:
            continue
        if not rec.text[: m_new.start()].endswith(old.text[max(0, b.start - 2) : b.start]):
            continue
        centres = old.centres[b.start : b.end]
        step = (centres[-1] - centres[0]) / 2 if len(centres) > 1 else 0.0
        out[k] = Recognised(
            old.text[: b.start] + b.opening + m_new[1] + b.closing + old.text[b.end :],
            old.score,
            old.centres[: b.start] + (centres[0], centres[0] + step, centres[-1]) + old.centres[b.end :],
            old.probs[: b.start] + (old.score,) * 3 + old.probs[b.end :] if old.probs else (),
        )
    return out


def _speck_line(ink: np.ndarray, st: raster.Strip, em: float) -> bool:
    """Is every mark of the line a speck (smaller than SPECK_MARK_EM both
    ways) or a streak (thinner than STREAK_EM, longer than STREAK_LONG_EM)?
    A glyph of text, even a lone "-" or "。" among them, is neither... but a
    "-" or "。" alone is: only lines of cells that hold text are dropped."""
    region = (ink[st.top : st.bottom, st.x0 : st.x1] > 0).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=8)
    if n <= 1:
        return True
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    speck = (w < SPECK_MARK_EM * em) & (h < SPECK_MARK_EM * em)
    streak = (h < STREAK_EM * em) & (w > STREAK_LONG_EM * em)
    return bool((speck | streak).all())


SPECK_MARK_EM = 0.45
STREAK_EM = 0.25
STREAK_LONG_EM = 1.5


def _is_speck(st: raster.Strip, rec: Recognised, em: float) -> bool:
    """A "line" smaller than half an em both ways, read as a doubtful mark."""
    return _small(st, em) and not any(_is_cjk(c) for c in rec.text) and rec.score < SPECK_LINE_PROB


def trim_specks(
    rec: Recognised, cols: np.ndarray, em: float, sure: float = SPECK_PROB, dots: bool = False
) -> Recognised:
    """Drop doubtful characters standing apart at either end of a line: a
    speck, a stub of a rule or the rest of a seal read as "8", "e", "■".
    Only non-CJK characters read with less than SPECK_PROB, with a blank of
    SPECK_GAP_EM before the rest of the line; a line of one or two characters
    is left alone (a lone "-" is a value). With ``dots`` (a fax, where specks
    sit close to the text), a doubtful dot is dropped however close: at a
    line's start (no line of text starts with one) and at its end after CJK
    or a closing bracket (where a period is "。", never ".")."""
    if len(rec.probs) != len(rec.text) or len(rec.text.replace(" ", "")) <= 2:
        return rec
    items = [(c, x, p) for c, x, p in zip(rec.text, rec.centres, rec.probs) if not c.isspace()]

    def apart(a: float, b: float) -> bool:
        lo, hi = int(min(a, b)), int(max(a, b)) + 1
        return _widest_gap(cols[max(0, lo) : max(0, min(len(cols), hi))]) >= SPECK_GAP_EM * em

    def junk(c: str, p: float) -> bool:
        return p < sure and not _is_cjk(c)

    def dot_first() -> bool:
        return dots and items[0][0] in LEAD_DOTS and items[0][2] < sure

    def dot_last() -> bool:
        before = items[-2][0]
        return dots and items[-1][0] in TRAIL_DOTS and items[-1][2] < sure and (_is_cjk(before) or before in ")）")

    while len(items) > 2 and (junk(items[0][0], items[0][2]) and apart(items[0][1], items[1][1]) or dot_first()):
        items.pop(0)
    while len(items) > 2 and (junk(items[-1][0], items[-1][2]) and apart(items[-2][1], items[-1][1]) or dot_last()):
        items.pop()
    if len(items) == len(rec.text.replace(" ", "")):
        return rec
    return Recognised("".join(c for c, _, _ in items), rec.score, tuple(x for _, x, _ in items), tuple(p for *_, p in items))


LEAD_DOTS = ".·•,、。:;'`"
TRAIL_DOTS = ".·•`'"


def _lone_bars(rec: Recognised, job: _Job, ink: np.ndarray, em: float, gray: np.ndarray) -> Recognised:
    """A line that is one bar-shaped sign (- = 一 二 三 ＝ —): alone, the model
    cannot tell them apart; the ink can (how many bars, how wide, equal or
    not: 二 has a longer lower stroke, = two equal bars)."""
    text = rec.text.strip()
    if len(text) != 1:
        return rec
    st = job.strip
    region = ink[st.top : st.bottom, st.x0 : st.x1] > 0
    # A row inked along a small share of the sign is a speck in the gap between bars.
    rows = region.sum(axis=1)
    bands = raster.runs(np.where(rows > BAR_GAP_INK * region.shape[1], 1, 0), 1)
    if len(bands) == 1 and bands[0][1] - bands[0][0] > BAR_MAX_EM * em:
        # Blurred (a photo), the gap between two bars is grey enough to be
        # ink: the grey still dips between them.
        bands = _grey_bars(gray[st.top : st.bottom, st.x0 : st.x1], bands[0])
    # Small print: a lone = or ＝ a few pixels high reads as "I", "日", "n"
    # with doubt. Its ink, bars and nothing else, says what it is.
    if text not in "-=一二三—－＝_~" and (rec.score >= LONE_BAR_DOUBT or not _all_bars(region, bands, em)):
        return rec
    wide = (st.x1 - st.x0) / em >= 0.65
    if len(bands) == 1:
        choice = text if wide and text in "一—－" else ("一" if wide else "-")
    elif len(bands) == 2:
        lengths = []
        for a, b in bands:
            cols = np.flatnonzero(region[a:b].any(axis=0))
            lengths.append(int(cols[-1] - cols[0] + 1))
        equal = abs(lengths[0] - lengths[1]) <= 0.12 * max(lengths)
        choice = ("＝" if wide else "=") if equal else "二"
    elif len(bands) == 3:
        choice = "三"
    else:
        return rec
    if choice == text:
        return rec
    return Recognised(choice, rec.score, rec.centres[:1])


LONE_BAR_DOUBT = 0.6  # a lone sign read less surely than this may be bars (= 二 三) the model missed
BAR_MAX_EM = 0.25  # a bar is at most this thick ...
BAR_MIN_RATIO = 2.5  # ... and this many times as long as thick
BAR_GAP_INK = 0.2  # a row between two bars may hold specks along this share of their length


BAR_VALLEY = 0.8  # between two bars the grey's darkness falls below this share of the fainter one


def _grey_bars(gray: np.ndarray, band: tuple[int, int]) -> list[tuple[int, int]]:
    """A band of rows split at its row-mean grey's deepest dip, when the dip
    is a gap between two dark bars; else the band."""
    a, b = band
    dark = 255.0 - gray.mean(axis=1)
    dark -= dark.min()
    if b - a < 3:
        return [band]
    v = a + 1 + int(np.argmin(dark[a + 1 : b - 1]))
    left, right = float(dark[a:v].max()), float(dark[v + 1 : b].max())
    if dark[v] > BAR_VALLEY * min(left, right):
        return [band]
    return [(a, v), (v + 1, b)]


def _all_bars(region: np.ndarray, bands: Sequence[tuple[int, int]], em: float) -> bool:
    """Is the ink of a lone sign 1-3 horizontal bars of one length and place
    (the bars of = or 三, not a glyph's strokes)?"""
    if not 1 <= len(bands) <= 3:
        return False
    spans = []
    for a, b in bands:
        cols = np.flatnonzero(region[a:b].any(axis=0))
        if cols.size == 0:
            return False
        length = int(cols[-1] - cols[0] + 1)
        if b - a > BAR_MAX_EM * em or length < BAR_MIN_RATIO * (b - a):
            return False
        spans.append((int(cols[0]), int(cols[-1])))
    # Each column of a bar's span is inked (no gaps: a bar, not a row of dots).
    for (a, b), (c0, c1) in zip(bands, spans):
        if not region[a:b, c0 : c1 + 1].any(axis=0).all():
            return False
    return True


def _line_em(job: _Job, body_em: float) -> float:
    """The em of a line: the body size, unless the line is much taller (a title)."""
    h = job.strip.bottom - job.strip.top
    return float(h) if h > 1.4 * body_em else body_em


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
