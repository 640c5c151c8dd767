"""The command line's own words: a mistyped command or option is told with the
subcommand's usage and a guess, exit 2."""

from __future__ import annotations

import pytest

from jixiao.cli import main


@pytest.mark.parametrize(
    ("argv", "usage", "guess"),
    [
        (["check", "--jsn", "out"], "usage: jixiao check", "(did you mean --json?)"),
        (["extrct", "raw"], "usage: jixiao [-h]", "(did you mean extract?)"),
        (["export", "out", "--formt", "csv"], "usage: jixiao export", "did you mean --format?"),
    ],
)
def test_a_typo_gets_the_subcommands_usage_and_a_guess(
    argv: list[str], usage: str, guess: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and guess in err, err
