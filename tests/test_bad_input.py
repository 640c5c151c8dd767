"""Bad input never stops a batch: each bad file gets one stderr line naming it
and the reason, a manifest row, and the good files are still written.

Every bad file is a real file made here (no mocks of the PDF libraries)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pikepdf
import pyarrow.parquet as pq
import pytest
from conftest import REAL01, SAMPLE

from jixiao.cli import main
from jixiao.pipelines import task as task_module
from jixiao.pipelines.task import process_file

PASSWORD = "secret"


def _cut(src: Path, pages: list[int], dest: Path) -> Path:
    with pikepdf.open(src) as pdf:
        out = pikepdf.new()
        for i in pages:
            out.pages.append(pdf.pages[i])
        out.save(dest)
    return dest


def empty(d: Path) -> Path:
    (p := d / "empty.pdf").write_bytes(b"")
    return p


def text_renamed(d: Path) -> Path:
    (p := d / "notes.pdf").write_text("meeting notes, not a PDF\n", encoding="utf-8")
    return p


def truncated(d: Path) -> Path:
    (p := d / "truncated.pdf").write_bytes(SAMPLE.read_bytes()[: SAMPLE.stat().st_size // 2])
    return p


def encrypted_user(d: Path) -> Path:
    with pikepdf.open(SAMPLE) as pdf:
        pdf.save(p := d / "encrypted-user.pdf", encryption=pikepdf.Encryption(user=PASSWORD, owner="owner-pw", R=6))
    return p


def encrypted_owner_only(d: Path) -> Path:
    """Owner password only (printing/copying restrictions): opens without one."""
    with pikepdf.open(SAMPLE) as pdf:
        pdf.save(p := d / "encrypted-owner.pdf", encryption=pikepdf.Encryption(user="", owner="owner-pw", R=4))
    return p


def no_forms(d: Path) -> Path:
    """Pages 4-8 of a 部门预算: budget tables, no target form."""
    return _cut(REAL01, [3, 4, 5, 6, 7], d / "no-forms.pdf")


def no_indicator_table(d: Path) -> Path:
    """Page 12 of the sample: form 6's header, funds and goals; its indicator
    table is printed on page 13, left out here."""
    return _cut(SAMPLE, [11], d / "no-indicator-table.pdf")


def damaged_page(d: Path) -> Path:
    """Opens fine, but page 2 draws a form XObject whose stream uses a filter
    no reader knows: pdfminer raises while interpreting that page."""
    with pikepdf.open(SAMPLE) as pdf:
        cut = pikepdf.new()
        cut.pages.extend(pdf.pages[0:2])
        page = cut.pages[1]
        xobject = cut.make_stream(
            b"garbage",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 10, 10],
            Filter=pikepdf.Name("/BogusDecode"),
        )
        resources = page.obj.Resources
        if "/XObject" not in resources:
            resources.XObject = pikepdf.Dictionary()
        resources.XObject.Fx = xobject
        page.contents_add(cut.make_stream(b"q /Fx Do Q\n"), prepend=False)
        cut.save(p := d / "damaged-page.pdf")
    return p


# (maker, status, words the one-line reason must contain)
CASES: list[tuple[Callable[[Path], Path], str, tuple[str, ...]]] = [
    (empty, "error", ("empty file",)),
    (text_renamed, "error", ("not a PDF",)),
    (truncated, "error", ("damaged or truncated",)),
    (encrypted_user, "error", ("encrypted", "--password")),
    (damaged_page, "partial", ("partial", "1 of 2 pages", "p. 2", "a page cannot be read", "NotImplementedError")),
    (no_forms, "no_forms", ("no target forms",)),
]


@pytest.mark.parametrize(("maker", "status", "words"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_file_alone(tmp_path: Path, maker: Callable[[Path], Path], status: str, words: tuple[str, ...]) -> None:
    pdf = maker(tmp_path)
    r = process_file(pdf)
    assert r.status == status
    assert str(pdf) in r.error and "\n" not in r.error
    for w in words:
        assert w in r.error
    assert r.traceback == ""
    assert r.forms == 0 or status == "partial"


def test_owner_password_only_opens_without_one(tmp_path: Path) -> None:
    pdf = encrypted_owner_only(tmp_path)
    r = process_file(pdf)
    assert (r.status, r.forms, r.indicator_rows) == ("ok", 8, 143)
    # One --password serves a batch: it must not lock out owner-only files.
    assert process_file(pdf, password=PASSWORD).status == "ok"


def test_user_password(tmp_path: Path) -> None:
    pdf = encrypted_user(tmp_path)
    r = process_file(pdf, password=PASSWORD)
    assert (r.status, r.forms, r.indicator_rows) == ("ok", 8, 143)
    wrong = process_file(pdf, password="guess")
    assert wrong.status == "error" and "the password given does not open it" in wrong.error


def test_form_without_indicator_table_is_read_and_told(tmp_path: Path) -> None:
    r = process_file(no_indicator_table(tmp_path))
    assert (r.status, r.forms, r.indicator_rows) == ("partial", 1, 0)
    assert r.projects is not None and r.projects["warnings"].to_pylist() == [["form has no indicator table"]]
    assert r.error.endswith("form 1 (p.1 '信息化建设项目'): form has no indicator table"), r.error


def _batch(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for maker, _, _ in CASES:
        maker(raw)
    encrypted_owner_only(raw)
    no_indicator_table(raw)
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    return raw


def test_batch_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = _batch(tmp_path)
    out = tmp_path / "out"
    assert main(["extract", str(raw), "--out", str(out), "-j", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    # One line per bad file, naming the file and the reason.
    for name, words in [
        ("empty.pdf", "empty file"),
        ("notes.pdf", "not a PDF"),
        ("truncated.pdf", "damaged or truncated"),
        ("encrypted-user.pdf", "--password"),
        ("damaged-page.pdf", "partial: 1 of 2 pages could not be read in full (p. 2"),
        ("no-forms.pdf", "no target forms"),
        ("no-indicator-table.pdf", "has no indicator table"),
    ]:
        lines = [ln for ln in err if f"{raw / name}:" in ln]
        assert len(lines) == 1 and words in lines[0] and lines[0].startswith("jixiao: "), (name, err)
    manifest = pq.read_table(out / "manifest.parquet").to_pandas().set_index("source_file")
    assert len(manifest) == 9
    statuses = manifest.status.to_dict()
    assert statuses == {
        "damaged-page.pdf": "partial",
        "empty.pdf": "error",
        "encrypted-owner.pdf": "ok",
        "encrypted-user.pdf": "error",
        "no-forms.pdf": "no_forms",
        "no-indicator-table.pdf": "partial",
        "notes.pdf": "error",
        SAMPLE.name: "ok",
        "truncated.pdf": "error",
    }
    assert manifest.loc["empty.pdf", "error"].endswith("empty file (0 bytes)")
    indicators = pd.read_parquet(out / "indicators")
    # The partial file keeps the rows of the page that could be read.
    assert indicators.groupby("source_file").size().to_dict() == {
        "damaged-page.pdf": 9,
        "encrypted-owner.pdf": 143,
        SAMPLE.name: 143,
    }

    # The password opens the encrypted file on the next run; the good files are skipped.
    assert main(["extract", str(raw), "--out", str(out), "-j", "1", "--password", PASSWORD, "-q"]) == 1
    manifest = pq.read_table(out / "manifest.parquet").to_pandas().set_index("source_file")
    assert manifest.loc["encrypted-user.pdf", "status"] == "ok"
    assert len(manifest) == 9


def test_exit_code_1_with_partial_and_no_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    no_forms(raw)
    no_indicator_table(raw)  # a form without rows: the file was not fully read
    assert main(["extract", str(raw), "--out", str(tmp_path / "out"), "-j", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 ok, 1 partial, 1 no forms, 0 errors" in captured.err


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "out")
    assert main(["extract", str(tmp_path / "missing"), "--out", out]) == 2
    assert main(["extract", str(tmp_path), "--out", out, "-j", "0"]) == 2
    assert main(["extract", str(tmp_path), "--out", out, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    with pytest.raises(SystemExit) as e:
        main(["extract", "--no-such-option", str(tmp_path)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "-j must be at least 1" in err and "--scheduler goes with" in err


def test_unexpected_exception_is_contained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug inside jixiao on one file: that file gets status error with the
    exception's type and message; the traceback only with --debug."""

    def broken_normalize(doc: object, left: object) -> object:
        raise ZeroDivisionError("division by zero in a form family")

    raw = tmp_path / "raw"
    raw.mkdir()
    no_indicator_table(raw)
    text_renamed(raw)
    monkeypatch.setattr(task_module, "read_projects", broken_normalize)  # normalize's streaming entry
    out = tmp_path / "out"
    assert main(["extract", str(raw), "--out", str(out), "-j", "1", "-q"]) == 1
    err = capsys.readouterr().err
    line = next(ln for ln in err.splitlines() if "no-indicator-table.pdf" in ln)
    assert "unexpected ZeroDivisionError: division by zero in a form family" in line
    assert "Traceback" not in err
    assert "not a PDF" in err  # the other file was still handled
    manifest = pq.read_table(out / "manifest.parquet").to_pandas().set_index("source_file")
    assert manifest.loc["no-indicator-table.pdf", "status"] == "error"
    assert "ZeroDivisionError" in manifest.loc["no-indicator-table.pdf", "error"]

    assert main(["extract", str(raw), "--out", str(out), "-j", "1", "-q", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "broken_normalize" in err


def test_a_partial_file_keeps_its_rows_in_their_partitions(tmp_path: Path) -> None:
    # The synthetic 2015 template holds a table of no known family: partial, and
    # its 3 forms' rows are written where their year and department say.
    from jixiao.pipelines.run import run

    pdf = Path(__file__).parent / "fixtures" / "pdfs" / "template-2015-synthetic.pdf"
    summary = run([pdf], tmp_path / "out")
    (r,) = summary.results
    assert r.status == "partial" and "no known family" in r.error
    parts = sorted(p.parent.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.parquet"))
    assert parts == [".", "indicators/year=2015/department=某市民政局", "projects/year=2015/department=某市民政局"]
