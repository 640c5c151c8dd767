"""Execute notebooks/explore.ipynb on a dataset and save it with its outputs
(plots included): what `make notebook` runs. The committed notebook stays
without outputs.

    python notebooks/run.py --data data/parquet --out data/parquet/notebook/explore.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "explore.ipynb"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="data/parquet", help="dataset folder (default: data/parquet)")
    p.add_argument("--out", help="where to save the executed notebook (default: DATA/notebook/explore.ipynb)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = p.parse_args(argv)
    data = Path(args.data).resolve()
    if not (data / "manifest.parquet").is_file():
        print(f"notebook: {data}: no jixiao dataset here; run `make extract` first", file=sys.stderr)
        return 2
    try:
        import nbclient
        import nbformat
    except ModuleNotFoundError:
        print("notebook: needs the notebook extra: pip install -e '.[notebook]'", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else data / "notebook" / NOTEBOOK.name
    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["JIXIAO_DATA"] = str(data)  # the kernel inherits the environment
    client = nbclient.NotebookClient(
        nb, timeout=args.timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        print(f"notebook: a cell failed:\n{e}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, out)
    plots = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    print(f"{out} ({plots} plots)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
