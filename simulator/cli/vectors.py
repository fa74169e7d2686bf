"""``flipdish-sim vectors``: the signature and token test vectors, for receivers in any language.

Exit statuses: 0 printed / up to date / written; 1 the committed file drifts from the generator
(``--check``); 2 usage error.
"""

from __future__ import annotations

import sys
from typing import Any, cast

import click

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.cli._options import family_option

__all__ = ["vectors"]


@click.command()
@family_option("Only this generation's cases.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: the file itself (or its family subset); text: one line per case.",
)
@click.option("--check", is_flag=True, help="Only compare; exit 1 when the committed file drifts.")
@click.option("--write", is_flag=True, help="Regenerate the committed file from the generator.")
def vectors(family: str | None, output: str, check: bool, write: bool) -> None:
    """Print the webhook verification vectors (contracts/vectors/webhook-vectors.v1.json).

    Each case is a request as your receiver sees it (headers, raw body, your secrets or token, your
    clock) with the verdict your verifier must reach and why. Where Flipdish publishes nothing (the v3
    signed string, the replay window) the vectors encode flipdish-sim's assumption: see "fidelity".
    """
    from flipdish_sim.contracts import vectors as vectors_file

    if check or write:
        _maintain(check=check, write=write, selecting=family is not None or output != "json")
        return
    if family is None and output == "json":
        click.echo(vectors_file.VECTORS_FILE.read_text("utf-8"), nl=False)  # the file's exact bytes
        return
    document = vectors_file.select(vectors_file.load(), family)
    if output == "json":
        click.echo(vectors_file.render(document), nl=False)
        return
    for line in _text_lines(document):
        click.echo(line)


def _maintain(*, check: bool, write: bool, selecting: bool) -> None:
    from flipdish_sim.contracts import vectors as vectors_file

    if check and write:
        raise UsageError("--check and --write exclude each other")
    if selecting:
        raise UsageError("--check and --write take no --family or --format")
    path = vectors_file.VECTORS_FILE
    if check:
        if vectors_file.drifted():
            click.echo(f"drift: {path.name} differs from the generator; run 'flipdish-sim vectors --write'")
            sys.exit(1)
        click.echo(f"vectors up to date ({path})")
        return
    changed = vectors_file.write()
    click.echo(f"{'wrote' if changed else 'unchanged'}: {path}")


def _text_lines(document: dict[str, object]) -> list[str]:
    fidelity = cast(dict[str, Any], document["fidelity"])
    lines = [f"{document['name']}, format version {document['version']}", f"caveat: {fidelity['caveat']}"]
    for family in ("v3", "legacy"):
        if family not in document:
            continue
        cases = cast(list[dict[str, Any]], cast(dict[str, Any], document[family])["cases"])
        lines.append(f"\n{family}: {len(cases)} cases")
        for case in cases:
            expected = case["expected"]
            verdict = f"{expected['verdict']} {expected['reason'] or ''}".strip()
            lenient = " (lenient)" if case.get("lenient") else ""
            lines.append(f"  {case['id']:<36} {verdict:<18} {case['why']}{lenient}")
    return lines
