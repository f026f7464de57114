"""`vaern trace`: which requirements the diagrams implement with elements that act, and which are only on paper."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.bpmn.trace import TracedElement, out_of_scope, requirement_ids, trace_report, traced_elements
from engine.cli.main import _bpmn_paths, cli

_SHOWN = 6


def _elements(elements: list[TracedElement], with_kind: bool = False) -> str:
    shown = ", ".join(f"{e.file}:{e.element_id}" + (f" ({e.what})" if with_kind else "") for e in elements[:_SHOWN])
    return shown + (f" (+{len(elements) - _SHOWN} more)" if len(elements) > _SHOWN else "")


@cli.command()
@click.option("--requirements", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("docs/guideline-requirements.md"), show_default=True)
@click.option("--out-of-scope", "scope_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs/out-of-scope.md"), show_default=True)
@click.argument("files", nargs=-1)
def trace(requirements: Path, scope_file: Path, files: tuple[str, ...]) -> None:
    """Print requirement ID -> the elements that act for it; list IDs only on paper (exit 1 if any is unexplained)."""
    report = trace_report(requirement_ids(requirements), traced_elements(_bpmn_paths(files)), out_of_scope(scope_file))
    for requirement in report.ids:
        if requirement in report.implemented:
            elements = report.implemented[requirement]
            click.echo(f"{requirement:<8} {len(elements):>3}  {_elements(elements)}")
        elif requirement in report.out_of_scope:
            click.echo(f"{requirement:<8}   -  out of scope: {report.out_of_scope[requirement]}")
        elif requirement in report.on_paper:
            click.echo(f"{requirement:<8}   !  ONLY ON PAPER: {_elements(report.on_paper[requirement], True)}")
        else:
            click.echo(f"{requirement:<8}   !  NOT IMPLEMENTED")
    if report.unknown:
        click.echo(f"tags naming no requirement: {', '.join(report.unknown)}")
    if report.on_paper:
        click.echo("only on paper (tagged only on lanes, flows, start/end events, the process or tasks "
                   f"without a form, none of which act): {', '.join(report.on_paper)}")
    click.echo(f"{len(report.implemented)} of {len(report.ids)} requirements implemented, "
               f"{len(report.out_of_scope)} out of scope, {len(report.unexplained)} unexplained "
               f"({len(report.on_paper)} only on paper, {len(report.missing)} not tagged anywhere)")
    if report.unexplained or report.unknown:
        sys.exit(1)
