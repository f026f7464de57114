"""`vaern simulate`: simulated people drive diagrams through the engine; every problem found is listed."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.cli.main import DEMO_ORG, _bpmn_paths, cli
from engine.simulation.simulate import ALL_BEHAVIOURS, BEHAVIOUR_NAMES, BehaviourResult, DiagramResult, simulate_diagram


def _summary(result: BehaviourResult) -> str:
    cases = len(result.outcomes)
    quiet = result.count(lambda o: o.quiet and not o.closed)
    reminded = result.count(lambda o: o.quiet and not o.closed and o.reminded)
    serious = result.count(lambda o: o.serious)
    serious_escalated = result.count(lambda o: o.serious and o.escalated)
    messages = sum(len(o.messages) for o in result.outcomes)
    return (f"{BEHAVIOUR_NAMES[result.behaviour]:<20} closed {result.count(lambda o: o.closed)}/{cases}, "
            f"fell quiet {quiet} ({reminded} after a reminder), escalated {result.count(lambda o: o.escalated)} "
            f"(serious: {serious_escalated} of {serious}), messages {messages}, problems {len(result.findings)}")


def _report(result: DiagramResult, show_fallbacks: bool) -> None:
    if result.refused:
        click.echo(f"{result.path}: not simulated, the engine refuses the diagram:")
        for problem in result.refused:
            click.echo(f"    {problem}")
        return
    click.echo(f"{result.path}: {result.kind} in unit {result.unit}, {result.seconds:.1f} s")
    for behaviour in result.behaviours:
        click.echo(f"  {_summary(behaviour)}")
        for finding in behaviour.findings:
            click.echo(f"    {finding}")
        fallbacks = sorted({f for o in behaviour.outcomes for f in o.fallbacks})
        if fallbacks and show_fallbacks:
            click.echo(f"    (note) tasks that fell back up the line: {'; '.join(fallbacks)}")


@cli.command()
@click.argument("files", nargs=-1)
@click.option("--cases", default=10, show_default=True, type=click.IntRange(1, 1000), help="cases per behaviour")
@click.option("--seed", default=1, show_default=True, type=int, help="the same seed gives the same cases")
@click.option("--behaviour", "behaviours", multiple=True, type=click.Choice(ALL_BEHAVIOURS),
              help="only these behaviours (default: the three, and one_committee_silent where a diagram has a "
                   "task per committee)")
@click.option("--org", "org_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEMO_ORG,
              show_default=True, help="the organisation the cases run in")
@click.option("--fallbacks/--no-fallbacks", default=True, help="list tasks whose lane fell back up the line")
def simulate(files: tuple[str, ...], cases: int, seed: int, behaviours: tuple[str, ...], org_file: Path,
             fallbacks: bool) -> None:
    """Drive diagrams (default: the workflows folder) with simulated people; list every problem (exit 1 if any).

    Each diagram runs in a throwaway database: everyone acts, the parties stay silent, nobody acts (and
    one committee stays silent where each has a task of its own).
    """
    paths = _bpmn_paths(files)
    if not paths:
        click.echo("no .bpmn files to simulate", err=True)
        sys.exit(1)
    total = bad = 0
    for path in paths:
        result = simulate_diagram(path, org_file, cases, seed, behaviours or None)
        _report(result, fallbacks)
        total += len(result.findings)
        bad += bool(result.findings)
    click.echo(f"{total} problem(s) in {bad} of {len(paths)} diagram(s)")
    if total:
        sys.exit(1)
