"""`csu-assure generate`: write a synthetic cohort of valid submissions with a spread of outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import out, usage_error


def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to create; it must not exist or be empty.")],
    csus: Annotated[int, typer.Option("--csus", min=1, max=100_000, help="How many CSUs.")] = 26,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same cohort.")] = 0,
) -> None:
    """Generate a synthetic cohort (checkpoints 1-3 per CSU) for trials and benchmarks."""
    from rich.progress import Progress

    import checks
    from csu_assure.generate import Rules, build_csu, random_specs
    from csu_assure.synthetic import write_folder

    if out_dir.exists() and any(out_dir.iterdir()):
        raise usage_error(f"{out_dir} exists and is not empty; choose a new folder")
    rules = Rules.shipped(checks.catalogue())
    specs = random_specs(csus, seed)
    with Progress(transient=True) as progress:
        task = progress.add_task("Writing submissions", total=len(specs))
        for spec in specs:
            for checkpoint, raw in build_csu(spec, rules).items():
                write_folder(raw, out_dir / spec.csu_id / f"cp{checkpoint}")
            progress.advance(task)
    out.print(f"Wrote {len(specs)} CSUs to {out_dir}")
