"""``evtdiag fixes``: the fix kit of a saved JSON report, for the ticket."""

from __future__ import annotations

from pathlib import Path

import click

from evtdiag.cli.options import REPORT_FILE
from evtdiag.document import read
from evtdiag.publish.output import write_stdout
from evtdiag.publish.targets import write_folder
from evtdiag.render.fix_kit import fix_kit, kit_text
from evtdiag.render.terminal import printable, printable_line


@click.command()
@click.argument("findings", type=REPORT_FILE)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the kit into this folder (made when missing) instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite files of an earlier kit in the folder.")
def fixes(findings: Path, output: Path | None, force: bool) -> None:
    """Write the fixes of a saved JSON report (FINDINGS): a patch and a script per UNIX
    host, windows.ps1 and VERIFY.md.

    Each UNIX host gets <host>.patch (the line edits of its collected files, which
    'patch -p1' applies in its folder and on the host) and <host>.sh (the commands, one
    block per problem); the Windows admins get windows.ps1; VERIFY.md says which
    password change verifies each fix and what to send back. Nothing in them runs
    before someone has read it.

    \b
    Example:
        evtdiag report logs/ --hosts hosts/ --format json -o findings.json
        evtdiag fixes findings.json -o fixes/
    """
    files = fix_kit(read(findings))
    if output is None:
        write_stdout([printable(kit_text(files))])
        return
    written = write_folder(output, files, force=force)
    names = ", ".join(path.name for path in written)
    click.echo(f"Fixes written to {printable_line(str(output))}: {printable_line(names)}", err=True)
