"""Hostile inputs, as real archives hold them, made here (no mocks): each gives
one clear stderr line naming the file, a manifest row, and the good file's
rows intact."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pandas as pd
import pikepdf
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SAMPLE

from jixiao.cli import main
from jixiao.errors import printable
from jixiao.limits import MIB, Limits
from jixiao.pipelines.run import run
from jixiao.pipelines.task import process_file
from jixiao.pipelines.write import write_result

GOOD = "good.pdf"
GOOD_ROWS = 9  # indicator rows of form 7 (page 14 of the sample)


def cut(src: Path, pages: list[int], dest: Path, tag: str = "") -> Path:
    with pikepdf.open(src) as pdf:
        out = pikepdf.new()
        for i in pages:
            out.pages.append(pdf.pages[i])
        if tag:
            out.docinfo["/JixiaoTest"] = tag
        out.save(dest, deterministic_id=True)
    return dest


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    cut(SAMPLE, [13], folder / GOOD)
    return folder


def extract(raw: Path | str, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    code = main(["extract", str(raw), "--out", str(out), "-j", "1", "-q", *extra])
    return code, capsys.readouterr().err.splitlines()


def manifest(out: Path) -> list[dict]:
    return pq.read_table(out / "manifest.parquet").to_pylist()


def good_rows_intact(out: Path) -> None:
    ind = pd.read_parquet(out / "indicators")
    assert (ind.source_file == GOOD).sum() == GOOD_ROWS


def one_line(err: list[str], name: str, *words: str) -> str:
    lines = [ln for ln in err if name in ln]
    assert len(lines) == 1, (name, err)
    assert lines[0].startswith("jixiao: ")
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# --- names -------------------------------------------------------------------------


def test_non_utf8_name_is_stored_losslessly(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gbk = os.fsencode(raw) + b"/\xbc\xa8\xd0\xa7.pdf"  # 绩效.pdf in GBK, from an unzipped archive
    cut(SAMPLE, [13], Path(os.fsdecode(gbk)), tag="gbk copy")
    (Path(os.fsdecode(os.fsencode(raw) + b"/\xb4\xed.pdf"))).write_bytes(b"")  # a bad one too
    out = tmp_path / "out"
    code, err = extract(raw, out, capsys)
    assert code == 1
    one_line(err, "\\xb4\\xed.pdf", "empty file")
    rows = {r["source_path_bytes"]: r for r in manifest(out)}
    row = rows[gbk]
    assert (row["status"], row["indicators"]) == ("ok", GOOD_ROWS)
    assert row["source_file"] == "\\xbc\\xa8Ч.pdf"  # escaped text; the raw bytes are in source_path_bytes
    assert rows[os.fsencode(raw) + b"/\xb4\xed.pdf"]["status"] == "error"
    ind = pd.read_parquet(out / "indicators")
    assert (ind.source_file == row["source_file"]).sum() == GOOD_ROWS
    good_rows_intact(out)
    # The next run recognises it: nothing read again.
    summary = run([raw], out)
    assert [Path(r.path).name for r in summary.results] == [os.fsdecode(b"\xb4\xed.pdf")]


def test_newlines_and_escape_codes_in_names_are_escaped(
    raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (raw / "a\nb\x1b[31m.pdf").write_bytes(b"")
    out = tmp_path / "out"
    code, err = extract(raw, out, capsys)
    assert code == 1
    one_line(err, "a\\nb\\x1b[31m.pdf", "empty file")
    assert not any("\x1b" in ln for ln in err)
    assert any(r["source_file"] == "a\\nb\\x1b[31m.pdf" for r in manifest(out))
    good_rows_intact(out)


def test_long_department_gets_a_bounded_folder(raw: Path, tmp_path: Path) -> None:
    """A 主管部门 of 120 CJK characters (360 bytes): a stable short folder name,
    the printed name in the project's warnings."""
    result = process_file(raw / GOOD)
    long_name = "上海市某某管理委员会办公室" * 10  # 130 characters
    assert result.projects is not None and result.indicators is not None
    tables = []
    for t in (result.projects, result.indicators):
        i = t.schema.get_field_index("department")
        tables.append(t.set_column(i, "department", pa.array([long_name] * t.num_rows, pa.string())))
    from dataclasses import replace

    written = write_result(tmp_path / "out", replace(result, projects=tables[0], indicators=tables[1]))
    folders = {p.parent.name for p in written}
    assert len(folders) == 1
    (folder,) = folders
    assert len(folder.encode()) <= 200 and folder.startswith("department=上海市某某") and "~" in folder
    ind = pd.read_parquet(tmp_path / "out" / "indicators")
    assert len(ind) == GOOD_ROWS
    projects = pd.read_parquet(tmp_path / "out" / "projects")
    assert any(long_name in w for w in projects.warnings[0])
    assert set(projects.department_printed) == {long_name}  # the full name, in a column
    # Stable: the same name gives the same folder.
    again = write_result(tmp_path / "out", replace(result, projects=tables[0], indicators=tables[1]))
    assert again == written


# --- special files -------------------------------------------------------------------


def test_special_files_get_one_line_each_and_never_hang(raw: Path, tmp_path: Path) -> None:
    os.mkfifo(raw / "fifo.pdf")
    (raw / "loop.pdf").symlink_to(raw / "loop.pdf")
    (raw / "dangling.pdf").symlink_to(raw / "nothing-here")
    (raw / "empty-1.pdf").write_bytes(b"")
    (raw / "empty-2.pdf").write_bytes(b"")  # identical bad files: each its line and row
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "jixiao.cli", "extract", str(raw), "/dev/zero", "--out", str(out), "-j", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    err = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr
    one_line(err, "fifo.pdf:", "not a regular file (a FIFO)")
    one_line(err, "loop.pdf:", "not a regular file (a symbolic link loop)")
    one_line(err, "dangling.pdf:", "not a regular file (a symbolic link to nothing)")
    one_line(err, "/dev/zero:", "not a regular file (a character device)")
    one_line(err, "empty-1.pdf:", "empty file")
    one_line(err, "empty-2.pdf:", "empty file")
    assert "Traceback" not in done.stderr
    rows = {r["source_file"]: r["status"] for r in manifest(out)}
    assert rows == {
        "fifo.pdf": "error",
        "loop.pdf": "error",
        "dangling.pdf": "error",
        "zero": "error",
        "empty-1.pdf": "error",
        "empty-2.pdf": "error",
        GOOD: "ok",
    }
    good_rows_intact(out)


# --- writes ------------------------------------------------------------------------------


def test_a_write_that_fails_for_one_file_is_that_files_error(
    raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A partition folder that cannot be made (a file is in its way): the
    files with rows there fail, the others are written."""
    blocked = cut(SAMPLE, [0, 1], raw / "blocked.pdf")
    out = tmp_path / "out"
    assert extract(raw, out, capsys)[0] == 0
    projects = pd.read_parquet(out / "projects")
    shutil.rmtree(out)
    # Form 1 is filed under its own partition: put a file where its folder goes.
    first = projects[projects.source_file == "blocked.pdf"].iloc[0]
    year_dir = out / "indicators" / f"year={first.year}"
    year_dir.parent.mkdir(parents=True)
    year_dir.write_text("in the way")
    code, err = extract(raw, out, capsys, "--force")
    assert code == 1
    one_line(err, str(raw / GOOD), "cannot write its rows")
    one_line(err, str(blocked), "cannot write its rows")
    rows = {r["source_file"]: r["status"] for r in manifest(out)}
    assert rows == {GOOD: "error", "blocked.pdf": "error"}


FULL_DISK = """\
set -u
OUT=$1 RAW=$2 SAVE=$3 SAMPLE=$4
shift 4
mount -t tmpfs -o size=16m jixiao-test "$OUT" || exit 97
"$@" extract "$RAW" --out "$OUT" -j 1 -q 2> "$SAVE/err0"; echo $? > "$SAVE/code0"
# The disk nearly full: 24 KB left, less than the sample's data files take.
used=$(df -k --output=used "$OUT" | tail -1)
mount -o remount,size=$((used + 24))k "$OUT"
cp "$SAMPLE" "$RAW/sample.pdf"
"$@" extract "$RAW" --out "$OUT" -j 1 -q 2> "$SAVE/err1"; echo $? > "$SAVE/code1"
cp -a "$OUT" "$SAVE/full"
mount -o remount,size=16m "$OUT"
"$@" extract "$RAW" --out "$OUT" -j 1 -q 2> "$SAVE/err2"; echo $? > "$SAVE/code2"
cp -a "$OUT" "$SAVE/after"
"""


def test_full_disk_names_the_data_write_and_the_next_run_recovers(raw: Path, tmp_path: Path) -> None:
    """A real full disk, not a mock: OUT is a tmpfs of a few KB more than it
    holds, in a mount namespace of its own (``unshare``; skipped where the
    system allows none). The run stops with exit code 3 naming the data file
    and the PDF it was writing (not the manifest); the manifest of the run
    before is intact; once there is space, the next run reads the rest and
    the dataset verifies, nothing duplicated. (RLIMIT_FSIZE would be the
    stand-in without mounts, but it fails a file by its size, EFBIG, not the
    disk by its space: the manifest would still be written.)"""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare(1)")
    ns = [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--user", "--map-root-user", "--mount"]
    out, save = tmp_path / "out", tmp_path / "save"
    out.mkdir()
    save.mkdir()
    script = tmp_path / "full-disk.sh"
    script.write_text(FULL_DISK)
    cli = [sys.executable, "-m", "jixiao.cli"]
    proc = subprocess.run([*ns, "sh", str(script), str(out), str(raw), str(save), str(SAMPLE), *cli],
                          check=False, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not (save / "code2").exists():
        pytest.skip(f"no mount namespace with a tmpfs here ({proc.returncode}: {proc.stderr.strip()[:100]})")
    code = {n: int((save / f"code{n}").read_text()) for n in range(3)}
    assert code == {0: 0, 1: 3, 2: 0}, [(save / f"err{n}").read_text() for n in range(3)]
    (line,) = (save / "err1").read_text().splitlines()
    assert line.startswith(f"jixiao: {out}/") and ".parquet: cannot write the rows of" in line, line
    assert "sample.pdf" in line and "No space left on device" in line and "manifest" not in line, line
    # The manifest on the full disk is the earlier run's, whole.
    assert {(r["source_file"], r["status"]) for r in manifest(save / "full")} == {(GOOD, "ok")}
    # Space again: the next run reads the sample, the dataset verifies.
    assert {(r["source_file"], r["status"], r["indicators"]) for r in manifest(save / "after")} == {
        (GOOD, "ok", GOOD_ROWS), ("sample.pdf", "ok", 143)
    }
    ind = pd.read_parquet(save / "after" / "indicators")
    assert ind.groupby("source_file").size().to_dict() == {GOOD: GOOD_ROWS, "sample.pdf": 143}
    assert main(["check", str(save / "after"), "--json"]) == 0


# --- limits -------------------------------------------------------------------------------


def big_image_page(dest: Path, points: float) -> Path:
    """An image-only page on a MediaBox of ``points`` x ``points``."""
    pdf = pikepdf.new()
    pixels = bytes(range(256)) * 20
    img = pdf.make_stream(
        zlib.compress(pixels),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=80,
        Height=64,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
        Filter=pikepdf.Name.FlateDecode,
    )
    page = pdf.add_blank_page(page_size=(points, points))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img))
    page.obj.Contents = pdf.make_stream(f"q {points} 0 0 {points} 0 0 cm /Im0 Do Q".encode())
    pdf.save(dest)
    return dest


def flate_bomb(dest: Path) -> Path:
    """1 MB on disk, a 32768 x 32768 image (1 GB) once inflated."""
    pdf = pikepdf.new()
    img = pdf.make_stream(
        b"",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=32768,
        Height=32768,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
    )
    img.write(zlib.compress(b"\0" * (1 << 30), 9), filter=pikepdf.Name.FlateDecode)
    page = pdf.add_blank_page(page_size=(595, 842))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img))
    page.obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    pdf.save(dest)
    return dest


def test_huge_page_and_flate_bomb_are_too_large(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big_image_page(raw / "huge-page.pdf", 14400)
    flate_bomb(raw / "bomb.pdf")
    out = tmp_path / "out"
    code, err = extract(raw, out, capsys)
    assert code == 1
    one_line(err, "huge-page.pdf:", "too large", "14400 x 14400 pt", "900 M pixels")
    one_line(err, "bomb.pdf:", "too large", "images inflate to 1024 MB")
    rows = {r["source_file"]: (r["status"], r["error"]) for r in manifest(out)}
    assert rows["huge-page.pdf"][0] == rows["bomb.pdf"][0] == "error"
    good_rows_intact(out)


def deflate_of(megabytes: int, fill: bytes) -> bytes:
    """A zlib stream that inflates to ``megabytes`` MB of ``fill``, made in
    milliseconds: after a full flush deflate writes every further megabyte
    as the same bytes (the checksum is computed, so the stream is valid)."""
    block = fill * MIB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    steady = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    check = 1
    for _ in range(megabytes):
        check = zlib.adler32(block, check)
    return b"\x78\xda" + head + steady * (megabytes - 1) + tail + check.to_bytes(4, "big")


def content_bomb(dest: Path, megabytes: int = 1024) -> Path:
    """1 MB on disk: a page whose content stream inflates to 1 GB of blanks."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.obj.Contents = pdf.make_stream(b"")
    page.obj.Contents.write(deflate_of(megabytes, b" "), filter=pikepdf.Name.FlateDecode)
    pdf.save(dest)
    return dest


def font_bomb(dest: Path, megabytes: int = 1024) -> Path:
    """1 MB on disk: an embedded TrueType font program that inflates to 1 GB."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    program = pdf.make_stream(b"")
    program.write(deflate_of(megabytes, b"\0"), filter=pikepdf.Name.FlateDecode)
    program.Length1 = megabytes * MIB
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.Bomb, Flags=32, FontBBox=[0, 0, 1000, 1000],
        ItalicAngle=0, Ascent=800, Descent=-200, CapHeight=700, StemV=80, FontFile2=program,
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name.Bomb, FirstChar=32,
        LastChar=126, Widths=[500] * 95, FontDescriptor=pdf.make_indirect(descriptor),
    )
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
    page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    pdf.save(dest)
    return dest


@pytest.mark.parametrize(
    "executor", [("-j", "1"), ("-j", "2"), ("--executor", "dask", "-j", "1")], ids=["j1", "j2", "dask"]
)
def test_bombs_in_content_streams_and_fonts_are_too_large(
    raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], executor: tuple[str, ...]
) -> None:
    """Under -j 1 and dask each file is read in a child forked for it, under
    -j 2 in a pool worker that watches its own memory; either way its memory
    is bounded: a content stream or a font program that
    inflates to 1 GB, let past the stream limit, makes its file ``too
    large`` at the memory limit (here 256 MB); the good file is read."""
    if executor[1] == "dask":
        pytest.importorskip("distributed")
    content_bomb(raw / "content-bomb.pdf")
    font_bomb(raw / "font-bomb.pdf")
    out = tmp_path / "out"
    code = main(["extract", str(raw), "--out", str(out), "-q", "--max-memory", "0.25", "--max-stream-mb", "0", *executor])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    for name in ("content-bomb.pdf", "font-bomb.pdf"):
        one_line(err, f"{name}:", "too large (it needs more memory than the limit)")
    rows = {r["source_file"]: r["status"] for r in manifest(out)}
    assert rows == {GOOD: "ok", "content-bomb.pdf": "error", "font-bomb.pdf": "error"}
    good_rows_intact(out)


def test_streams_are_measured_before_they_inflate(tmp_path: Path) -> None:
    """The stream limit (default 256 MB) fails the page whose content stream
    or font program inflates past it, before any reader inflates it: the
    other pages are read (``partial``), a file of such pages is ``error``."""
    with pikepdf.open(content_bomb(tmp_path / "content-bomb.pdf")) as bomb, pikepdf.open(SAMPLE) as sample:
        pdf = pikepdf.new()
        pdf.pages.append(sample.pages[13])
        pdf.pages.append(bomb.pages[0])
        pdf.save(tmp_path / "form-and-bomb.pdf")
    r = process_file(tmp_path / "form-and-bomb.pdf")
    assert (r.status, r.indicator_rows) == ("partial", GOOD_ROWS), r.error
    assert "page 2's content stream inflates to more than 256 MB" in r.error
    r = process_file(font_bomb(tmp_path / "font-bomb.pdf"))
    assert r.status == "error"
    assert r.error == f"{tmp_path / 'font-bomb.pdf'}: too large (page 1's font program of /F1 inflates to more than " \
        "256 MB, the limit); raise the limit (--max-*) to read it"


def test_time_limit_per_file(raw: Path, tmp_path: Path) -> None:
    """A file not read within its limit is ``timeout``, in the reading process
    and in a worker; the limit is a setting (here too short for any file)."""
    (raw / "second.pdf").write_bytes(SAMPLE.read_bytes())
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}"
        summary = run([raw], out, jobs=jobs, limits=Limits(seconds=0.001))
        assert {r.status for r in summary.results} == {"error"}
        for r in summary.results:
            assert r.error == f"{r.path}: timeout (not read within 0.001 s); raise --timeout to read it"
        assert [r["status"] for r in manifest(out)] == ["error", "error"]
    # With the default limits the same files are read.
    summary = run([raw], tmp_path / "out-default")
    assert {r.status for r in summary.results} == {"ok"}


def test_memory_limit_per_file(raw: Path, tmp_path: Path) -> None:
    """Past its memory limit (what reading it adds to the worker, here 256 MB)
    a file is ``too large``; the worker that ran out is replaced, so the next
    files read normally, in the same run and the next."""
    cut(SAMPLE, [0, 1], raw / "form-1.pdf")
    content_bomb(raw / "bomb.pdf")
    limits = Limits(memory_bytes=256 * MIB, stream_bytes=None)
    summary = run([raw], tmp_path / "small", jobs=2, limits=limits)
    got = {Path(r.path).name: (r.status, r.error) for r in summary.results}
    too_large = f"{raw / 'bomb.pdf'}: too large (it needs more memory than the limit); raise the limit (--max-*) to read it"
    assert got["bomb.pdf"] == ("error", too_large)
    assert got["form-1.pdf"][0] == got[GOOD][0] == "ok"
    summary = run([raw], tmp_path / "default", jobs=2)
    assert sorted((Path(r.path).name, r.status) for r in summary.results) == [
        ("bomb.pdf", "error"), ("form-1.pdf", "ok"), (GOOD, "ok")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_stuck_in_c_is_ended_and_the_file_is_timeout(raw: Path, tmp_path: Path, jobs: int) -> None:
    """A page of three million tiny rectangles keeps PDFium busy in C (loading
    the page) for seconds, where no Python exception reaches it: the worker's
    watchdog (-j 2) or the parent of the child forked for the file (-j 1)
    ends it, the file is ``timeout``, the batch goes on."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.obj.Contents = pdf.make_stream(b"".join(b"%d %d 1 1 re f\n" % (i % 590, i % 840) for i in range(3_000_000)))
    pdf.save(raw / "slow.pdf")
    summary = run([raw], tmp_path / "out", jobs=jobs, limits=Limits(seconds=2.0, kill_after=0.5))
    results = {Path(r.path).name: r for r in summary.results}
    assert results["slow.pdf"].error == f"{raw / 'slow.pdf'}: timeout (not read within 2 s); raise --timeout to read it"
    assert (results[GOOD].status, results[GOOD].indicator_rows) == ("ok", GOOD_ROWS), results[GOOD].error


def test_blank_pages_are_skipped_before_ocr(tmp_path: Path) -> None:
    pdf = pikepdf.open(SAMPLE)
    out = pikepdf.new()
    out.pages.append(pdf.pages[13])
    for _ in range(40):
        out.add_blank_page(page_size=(595, 842))
    out.save(tmp_path / "blank-pages.pdf")
    r = process_file(tmp_path / "blank-pages.pdf")
    assert (r.status, r.indicator_rows) == ("ok", GOOD_ROWS)
    assert r.page_decisions[1:] == tuple(f"{n}:absent:skipped" for n in range(2, 42))
    assert r.methods == ("text",)  # no page went to OCR


# --- verification ---------------------------------------------------------------------------


def test_damaged_data_files_are_read_again(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut(SAMPLE, [0, 1], raw / "form-1.pdf")
    out = tmp_path / "out"
    assert extract(raw, out, capsys)[0] == 0
    files = sorted((out / "indicators").rglob("*.parquet"))
    good = pd.read_parquet(out / "indicators").sort_values(["project_id", "seq"]).reset_index(drop=True)
    damages = [
        ("truncated", lambda p: p.write_bytes(p.read_bytes()[:100])),
        ("deleted", lambda p: p.unlink()),
        ("garbled", lambda p: p.write_bytes(p.read_bytes()[:60] + bytes(40) + p.read_bytes()[100:])),
    ]
    for label, damage in damages:
        damage(files[0])
        assert main(["check", str(out)]) == 1, label
        assert "damaged" in capsys.readouterr().out
        code, err = extract(raw, out, capsys)
        assert code == 0, (label, err)
        assert any("its data files are damaged" in ln and "reading it again" in ln for ln in err), (label, err)
        again = pd.read_parquet(out / "indicators").sort_values(["project_id", "seq"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(again, good)
        assert main(["check", str(out)]) == 0
        capsys.readouterr()
    # A copy of a data file under another name: moved out of the dataset.
    shutil.copy(files[1], files[1].with_name("copy.parquet"))
    assert main(["check", str(out)]) == 1
    code, err = extract(raw, out, capsys)
    one_line(err, "copy.parquet", "no source in the manifest owns", ".quarantine")
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "indicators").sort_values(["project_id", "seq"]).reset_index(drop=True), good
    )


def test_damaged_source_gone_is_reported(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = cut(SAMPLE, [0, 1], tmp_path / "elsewhere.pdf")
    out = tmp_path / "out"
    assert extract(other, out, capsys)[0] == 0
    other.unlink()
    for p in (out / "indicators").rglob("*.parquet"):
        p.write_bytes(b"PAR1")
    code, err = extract(raw, out, capsys)
    assert code == 1
    one_line(err, "elsewhere.pdf", "its data files are damaged", "its PDF is gone")
    rows = {r["source_file"]: r["status"] for r in manifest(out)}
    assert rows == {"elsewhere.pdf": "error", GOOD: "ok"}
    good_rows_intact(out)


def test_damaged_manifest(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert extract(raw, out, capsys)[0] == 0
    m = out / "manifest.parquet"
    m.write_bytes(m.read_bytes()[:50])
    assert main(["check", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the manifest is damaged" in err and "Traceback" not in err
    code, err = extract(raw, out, capsys)
    assert code == 0
    one_line(err, "manifest.parquet", "rebuilt from the data files", "manifest.parquet.damaged")
    assert [(r["source_file"], r["status"], r["indicators"]) for r in manifest(out)] == [(GOOD, "ok", GOOD_ROWS)]
    good_rows_intact(out)
    assert main(["check", str(out)]) == 0


# --- republished sources, signals, passwords -------------------------------------------


def test_republished_source_supersedes(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    cut(SAMPLE, [0, 1], raw / "report.pdf")
    assert extract(raw, out, capsys)[0] == 0
    old_sha = next(r["source_sha256"] for r in manifest(out) if r["source_file"] == "report.pdf")
    cut(SAMPLE, [13], raw / "report.pdf", tag="corrected")  # another form at the same path
    code, err = extract(raw, out, capsys)
    assert code == 0
    one_line(err, "report.pdf", "supersedes the earlier read")
    rows = {(r["source_file"], r["status"]): r for r in manifest(out)}
    new = rows[("report.pdf", "ok")]
    assert rows[("report.pdf", "superseded")]["superseded_by"] == new["source_sha256"]
    ind = pd.read_parquet(out / "indicators")
    assert set(ind[ind.source_file == "report.pdf"].source_sha256) == {new["source_sha256"]}
    assert old_sha not in set(ind.source_sha256)
    good_rows_intact(out)


@pytest.mark.parametrize(
    ("sig", "code", "word"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_signals_are_clean(tmp_path: Path, sig: signal.Signals, code: int, word: str) -> None:
    """SIGTERM to the run, or Ctrl-C (SIGINT to the whole process group, as a
    terminal sends it): one line, the manifest saved, the lock freed, no
    worker traceback."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(4):
        cut(SAMPLE, list(range(17)), raw / f"copy-{i}.pdf", tag=str(i))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "jixiao.cli", "extract", str(raw), "--out", str(out), "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any((out / "indicators").rglob("*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == code, err
    assert err.splitlines() == [f"jixiao: {word}; what was finished is kept, re-run to go on"], err
    assert (out / "manifest.parquet").exists()
    # The lock is free and the run goes on from where it was.
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert len(pd.read_parquet(out / "indicators")) == 4 * 143


def test_password_file_and_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with pikepdf.open(SAMPLE) as pdf:
        pdf.save(raw / "locked.pdf", encryption=pikepdf.Encryption(user="s3cret", owner="o", R=6))
    (tmp_path / "pw").write_text("s3cret\n")
    code, _ = extract(raw, tmp_path / "a", capsys, "--password-file", str(tmp_path / "pw"))
    assert code == 0
    monkeypatch.setenv("JIXIAO_PASSWORD", "s3cret")
    code, _ = extract(raw, tmp_path / "b", capsys)
    assert code == 0
    monkeypatch.delenv("JIXIAO_PASSWORD")
    code, err = extract(raw, tmp_path / "c", capsys)
    assert code == 1 and "--password" in err[0]


# --- check ---------------------------------------------------------------------------------


def test_check_shows_markup_as_text(raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (raw / "[bold]x[red].pdf").write_text("not a PDF")
    out = tmp_path / "out"
    extract(raw, out, capsys)
    assert main(["check", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "[bold]x[red].pdf" in shown


def test_printable_is_one_line() -> None:
    assert printable("a\nb\r\x1b[2J\u2028c") == "a\\nb\\r\\x1b[2J\\u2028c"
    assert printable(os.fsdecode(b"\xff.pdf")) == "\\xff.pdf"


# --- page geometry ----------------------------------------------------------------------------


@pytest.mark.parametrize("rotate", [90, 270])
def test_rotate_on_upright_content_still_reads(tmp_path: Path, rotate: int) -> None:
    """/Rotate turns the page for display; the content is drawn upright."""
    with pikepdf.open(SAMPLE) as pdf:
        for page in pdf.pages:
            page.obj.Rotate = rotate
        pdf.save(tmp_path / "rotated.pdf")
    r = process_file(tmp_path / "rotated.pdf")
    plain = process_file(SAMPLE)
    assert (r.status, r.forms, r.indicator_rows) == ("ok", 8, 143)
    assert r.indicators is not None and plain.indicators is not None
    columns = ["project_name", "level1", "level2", "level3", "value_raw", "page"]
    assert r.indicators.select(columns).to_pylist() == plain.indicators.select(columns).to_pylist()


def test_mediabox_away_from_the_origin_reads(tmp_path: Path) -> None:
    """A MediaBox that does not start at (0, 0), its content drawn inside it."""
    with pikepdf.open(SAMPLE) as pdf:
        for page in pdf.pages:
            page.contents_add(pdf.make_stream(b"1 0 0 1 100 -900 cm"), prepend=True)
            page.obj.MediaBox = [100, -900, 695.2756, -58.1102]
        pdf.save(tmp_path / "shifted.pdf")
    r = process_file(tmp_path / "shifted.pdf")
    assert (r.status, r.forms, r.indicator_rows) == ("ok", 8, 143)


def _helvetica(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    if "/Font" not in page.obj.Resources:
        page.obj.Resources.Font = pikepdf.Dictionary()
    page.obj.Resources.Font.JxHidden = font


def _same_pages(path: Path, pages: tuple[int, ...] = (0, 5, 13)) -> None:
    """Both text engines give the visible page's glyphs and rules exactly
    where they are on the sample (points, top-left origin)."""
    from jixiao.extract.source import PdfSource
    from jixiao.extract.textlayer import BACKENDS

    def rounded(glyphs: list, segments: list, width: float, height: float) -> tuple:
        return (
            [(g.text, *(round(v, 3) for v in g[1:])) for g in glyphs],
            sorted((round(s.x0, 3), round(s.top, 3), round(s.x1, 3), round(s.bottom, 3)) for s in segments),
            round(width, 3),
            round(height, 3),
        )

    for backend in ("pdfium", "playa"):
        read = BACKENDS[backend]
        with PdfSource(SAMPLE) as plain, PdfSource(path) as other:
            for i in pages:
                assert rounded(*read(other, i)) == rounded(*read(plain, i)), (backend, i)


def _same_rows(path: Path) -> None:
    r, plain = process_file(path), process_file(SAMPLE)
    assert (r.status, r.forms, r.indicator_rows) == ("ok", 8, 143), r.error
    assert r.indicators is not None and plain.indicators is not None
    columns = ["project_name", "level1", "level2", "level3", "value_raw", "page"]
    assert r.indicators.select(columns).to_pylist() == plain.indicators.select(columns).to_pylist()


def test_cropbox_is_the_page_and_what_it_cuts_away_is_not_read(tmp_path: Path) -> None:
    """The sample on a larger sheet (MediaBox) cut back to its own size by a
    CropBox away from the origin, with text on the sheet outside the crop:
    the same glyphs at the same places, the same 143 rows, no hidden text."""
    with pikepdf.open(SAMPLE) as pdf:
        for page in pdf.pages:
            w, h = float(page.mediabox[2]), float(page.mediabox[3])
            page.obj.MediaBox = [-200, -300, w + 150, h + 250]
            page.obj.CropBox = [0, 0, w, h]
            _helvetica(pdf, page)
            page.contents_add(pdf.make_stream(
                b"BT /JxHidden 12 Tf -150 400 Td (HIDDEN LEFT) Tj ET BT /JxHidden 9 Tf 100 900 Td (HIDDEN TOP) Tj ET"
            ))
        pdf.save(tmp_path / "cropped.pdf")
    _same_pages(tmp_path / "cropped.pdf")
    _same_rows(tmp_path / "cropped.pdf")


def test_text_beyond_an_uncropped_mediabox_is_still_read(tmp_path: Path) -> None:
    """Without a crop, text a generator placed past the sheet's edge is kept
    (spreadsheet exports print a table's "单位：万元" there)."""
    from jixiao.extract.source import PdfSource
    from jixiao.extract.textlayer import BACKENDS

    with pikepdf.open(SAMPLE) as pdf:
        page = pdf.pages[0]
        _helvetica(pdf, page)
        page.contents_add(pdf.make_stream(b"BT /JxHidden 9 Tf 620 400 Td (PAST THE EDGE) Tj ET"))
        pdf.save(tmp_path / "overflow.pdf")
    for backend in ("pdfium", "playa"):
        with PdfSource(tmp_path / "overflow.pdf") as source:
            glyphs = BACKENDS[backend](source, 0)[0]
        assert "".join(g.text for g in glyphs if g.x0 > 595) == "PAST THE EDGE", backend


def _user_unit_2(src: Path, dest: Path, pages: int | None = None) -> Path:
    """The same physical page in units of 2 pt: half the MediaBox, the
    content scaled by 1/2, /UserUnit 2."""
    with pikepdf.open(src) as pdf:
        if pages is not None:
            del pdf.pages[pages:]
        for page in pdf.pages:
            w, h = float(page.mediabox[2]), float(page.mediabox[3])
            page.obj.MediaBox = [0, 0, w / 2, h / 2]
            page.obj.UserUnit = 2
            page.contents_add(pdf.make_stream(b"0.5 0 0 0.5 0 0 cm"), prepend=True)
        pdf.save(dest)
    return dest


def test_user_unit_gives_points(tmp_path: Path) -> None:
    """/UserUnit 2 on content drawn at half scale is the same page: both text
    engines give the same points and 143 rows (PDFium and PLAYA ignore it)."""
    path = _user_unit_2(SAMPLE, tmp_path / "unit-2.pdf")
    _same_pages(path)
    _same_rows(path)


def test_user_unit_in_ocr_and_the_pixel_limit(tmp_path: Path) -> None:
    """The OCR path renders a /UserUnit 2 scan at its true resolution and
    measures it in points; the pixel limit counts the physical size."""
    from jixiao.extract.model import PageInfo
    from jixiao.extract.ocr import OcrEngine
    from jixiao.extract.source import PdfSource

    scan = Path(SAMPLE).with_name("shpf-2023-scan.pdf")
    path = _user_unit_2(scan, tmp_path / "scan-unit-2.pdf", pages=1)
    info = PageInfo(1, "absent", "ocr", "")
    with PdfSource(scan) as plain, PdfSource(path) as other:
        a, b = OcrEngine().read_page(plain, 0, info), OcrEngine().read_page(other, 0, info)
    assert (round(b.width), round(b.height)) == (round(a.width), round(a.height)) == (596, 842)
    assert [t.first_bbox for t in b.tables] == [t.first_bbox for t in a.tables]
    assert [c.text for c in b.tables[0].cells] == [c.text for c in a.tables[0].cells]
    # 3000 units of 4 pt: a 12000 pt page (625 M pixels), not a 3000 pt one (39 M).
    with pikepdf.open(big_image_page(tmp_path / "big.pdf", 3000)) as pdf:
        pdf.pages[0].obj.UserUnit = 4
        pdf.save(tmp_path / "big-unit-4.pdf")
    r = process_file(tmp_path / "big-unit-4.pdf")
    assert r.status == "error" and "page 1 is 12000 x 12000 pt: 625 M pixels" in r.error, r.error


def test_load_and_export_refuse_a_damaged_data_file_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # jixiao.load and export never return fewer rows in silence: a garbled data file
    # is named (and `jixiao check` lists it).
    import shutil

    import jixiao
    from jixiao.errors import DamagedDataset

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "pdfs" / "shpf-2023.pdf", raw)
    out = tmp_path / "out"
    assert main(["extract", str(raw), "--out", str(out), "-j", "1", "-q"]) == 0
    victim = next((out / "indicators").rglob("*.parquet"))
    victim.write_bytes(b"garbage" * 100)
    with pytest.raises(DamagedDataset, match="a data file cannot be read"):
        jixiao.load(out)
    capsys.readouterr()
    assert main(["export", str(out), "--format", "csv", "--dest", str(tmp_path / "x")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a data file cannot be read" in err[0]
