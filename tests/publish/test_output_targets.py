"""Where a report may be written: only as a regular file (never over a device, a FIFO,
a link or as a folder), never over a report that appeared meanwhile without --force,
and with the mode the umask or the replaced file asks for (Reliability v2, items 3, 4
and 7)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from evtdiag.cli import cli
from evtdiag.errors import UsageError
from evtdiag.publish.output import write_report
from tests.publish.test_output_faults import save_findings


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_findings(tmp_path_factory.mktemp("findings"))


def render(findings: Path, *options: str) -> tuple[int, str]:
    """Exit code and stderr of ``evtdiag render FINDINGS --format text OPTIONS``."""
    result = CliRunner().invoke(cli, ["render", str(findings), "--format", "text", *options])
    return result.exit_code, result.stderr


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process's umask after a test sets its own."""
    mask = os.umask(0o022)
    yield
    os.umask(mask)


# -- item 3: only regular files ------------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    """A copy of /dev/null (root only: skipped otherwise)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")


def _link_to_a_file(path: Path) -> None:
    (path.parent / "elsewhere.txt").write_text("the link's target\n")
    path.symlink_to("elsewhere.txt")


def _dangling_link(path: Path) -> None:
    path.symlink_to("nowhere.txt")


@pytest.mark.parametrize("make", [_fifo, _device, _link_to_a_file, _dangling_link])
@pytest.mark.parametrize("force", [True, False], ids=["force", "no-force"])
def test_only_a_regular_file_is_ever_replaced(findings, tmp_path, make, force) -> None:
    target = tmp_path / "out"
    make(target)
    before = {p.name: p.lstat() for p in tmp_path.iterdir()}
    code, err = render(findings, "-o", str(target), *(["--force"] if force else []))
    assert code == 2 and "not a regular file" in err, err
    after = {p.name: p.lstat() for p in tmp_path.iterdir()}
    assert after.keys() == before.keys()  # nothing created, no temporary file left
    assert all(after[n].st_ino == before[n].st_ino for n in after)  # nothing replaced
    assert all(after[n].st_mode == before[n].st_mode for n in after)


def test_a_special_file_that_appears_before_the_commit_is_not_replaced(tmp_path) -> None:
    """Checked again when the report is written, not only before the logs are read."""
    target = tmp_path / "out"

    def parts() -> Iterator[str]:
        yield "report\n"
        os.mkfifo(target)

    with pytest.raises(UsageError, match="is a FIFO, not a regular file"):
        write_report(target, parts(), force=True)
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("name", ["new/", "new/.", "existing.txt/", "existing.txt/.."])
def test_a_name_ending_in_a_separator_is_refused(findings, tmp_path, name) -> None:
    """``-o dir/`` asks for a folder: not a file named ``dir``."""
    (tmp_path / "existing.txt").write_text("keep\n")
    code, err = render(findings, "-o", str(tmp_path) + "/" + name, "--force")
    assert code == 2 and "names a folder" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.txt"]
    assert (tmp_path / "existing.txt").read_text() == "keep\n"


def test_a_missing_folder_is_a_usage_error(findings, tmp_path) -> None:
    code, err = render(findings, "-o", str(tmp_path / "missing" / "r.txt"))
    assert code == 2 and f"{tmp_path / 'missing'} is not an existing folder" in err


# -- item 4: creating never overwrites -------------------------------------------------------


def _another_run_writes(target: Path) -> Iterator[str]:
    """Parts during whose rendering another run writes ``target``."""
    yield "our report\n"
    target.write_text("the other run's report\n")
    yield "end\n"


def test_a_report_that_appears_meanwhile_is_not_overwritten(tmp_path) -> None:
    target = tmp_path / "report.txt"
    with pytest.raises(UsageError, match="already exists; use --force"):
        write_report(target, _another_run_writes(target))
    assert target.read_text() == "the other run's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temporary file


def test_with_force_the_report_replaces_it(tmp_path) -> None:
    target = tmp_path / "report.txt"
    write_report(target, _another_run_writes(target), force=True)
    assert target.read_text() == "our report\nend\n"


@pytest.fixture
def no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without hard links (FAT, some network shares)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", refuse)


def test_without_hard_links_a_report_is_created(tmp_path, no_hard_links) -> None:
    target = tmp_path / "report.txt"
    write_report(target, ["whole\n", "report\n"])
    assert target.read_text() == "whole\nreport\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_without_hard_links_a_report_that_appears_meanwhile_is_kept(
    tmp_path, no_hard_links
) -> None:
    target = tmp_path / "report.txt"
    with pytest.raises(UsageError, match="already exists; use --force"):
        write_report(target, _another_run_writes(target))
    assert target.read_text() == "the other run's report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


# -- item 7: modes ---------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "mode"), [(0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_report_honours_the_umask(findings, tmp_path, umask, mask, mode) -> None:
    os.umask(mask)
    code, err = render(findings, "-o", str(tmp_path / "r.txt"))
    assert code == 1, err  # the sample has open problems
    assert _mode(tmp_path / "r.txt") == mode


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_replaced_report_keeps_its_mode(findings, tmp_path, umask, mode) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old\n")
    target.chmod(mode)
    code, err = render(findings, "-o", str(target), "--force")
    assert code == 1, err  # the sample has open problems
    assert _mode(target) == mode and target.read_text() != "old\n"


def test_the_redaction_mapping_is_always_private(findings, tmp_path, umask) -> None:
    os.umask(0)
    target = tmp_path / "r.txt"
    mapping = tmp_path / "r.txt.redaction.json"
    code, err = render(findings, "-o", str(target), "--redact")
    assert code == 1, err  # the sample has open problems
    assert (_mode(target), _mode(mapping)) == (0o666, 0o600)
    mapping.chmod(0o644)
    code, err = render(findings, "-o", str(target), "--redact", "--force")
    assert code == 1, err  # the sample has open problems
    assert (_mode(target), _mode(mapping)) == (0o666, 0o600)
