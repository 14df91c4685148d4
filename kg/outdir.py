"""The output folder as one set: each build is staged in a folder of its own and published
with one atomic rename, under a lock, so outputs never mix two builds.

Layout of OUT once a build has been published::

    OUT/.kg-build.lock             flock()ed by the build writing into OUT; holds its pid
    OUT/.builds/<id>/              one complete build: graph.ttl, graph.nt, store/, graph.html ...
    OUT/.current -> .builds/<id>   the published build
    OUT/graph.ttl -> .current/graph.ttl, OUT/store -> .current/store, ...  (one link per output)

Why a pointer and not renaming each output into place: several files and a store folder
cannot be replaced together by renaming them one by one — a reader between two renames
(kg query, kg serve, kg validate, a browser) would open a new graph.ttl beside an old
store, and a build killed between two renames leaves that mix for good. `rename(2)` of one
symlink is atomic, and every output name resolves through `.current`, so each open sees
either the whole old build or the whole new one. A reader that opens several files should
resolve `.current` once (`os.path.realpath`; `kg.rdf.write.open_store` does) so that a
switch between its opens cannot mix them either. The switch runs with SIGINT and SIGTERM
held back, so "was it replaced?" always has a true answer (`Publication.published`).
After the switch the previous build is deleted: a reader that already has its store open
keeps reading it (the open files outlive the names), a reader that opens afterwards gets
the new build; OUT holds one build at rest.

The lock (`fcntl.flock` on `OUT/.kg-build.lock`) is released by the kernel when the
process ends, however it ends, so a killed build never leaves OUT locked; holding it is
also what proves that leftovers in OUT (staging folders of killed builds, temporary files
of older kg versions) belong to no live build, which is why they are removed only under
it. A folder written by an older kg (regular files instead of links) is migrated by the
first build: once, and only then, the old files are swapped for links one by one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import OutputBusy, OutputError, shown

LOCK_NAME = ".kg-build.lock"
BUILDS = ".builds"
CURRENT = ".current"


@dataclass(frozen=True)
class Cleanup:
    """Leftovers of killed or older builds removed from OUT before a build starts."""

    entries: int = 0
    bytes: int = 0


@dataclass
class Publication:
    """An OUT locked for one build, with the folder the build writes into (`staging`).

    `published` turns true at the instant the new build becomes the one OUT shows.
    """

    root: Path
    staging: Path
    cleaned: Cleanup = field(default_factory=Cleanup)
    published: bool = False

    def publish(self, legacy_names: Iterable[str] = ()) -> dict[str, Path]:
        """Make the staged build the one OUT shows; returns each output's path in OUT.

        `legacy_names` are the names outputs of any build may have (graph.jsonld, store ...):
        a stale one a previous build left and this one did not write is removed, so OUT never
        shows an output of another build.
        """
        names = sorted(p.name for p in self.staging.iterdir() if not p.name.startswith("."))
        try:
            for name in names:  # links of new names dangle until the switch: invisible, never stale
                link = self.root / name
                if not link.is_symlink() and not os.path.lexists(link):
                    _symlink(f"{CURRENT}/{name}", link)
            temp = self.root / f"{CURRENT}.{self.staging.name}.tmp"
            _symlink(f"{BUILDS}/{self.staging.name}", temp, replace=False)
            with signals_held():
                os.replace(temp, self.root / CURRENT)  # the switch
                self.published = True
        except OSError as exc:
            raise OutputError(f"cannot publish the build in {shown(self.root)}: {exc.strerror or exc}") from None
        self._tidy(names, set(legacy_names))
        return {name: self.root / name for name in names}

    def _tidy(self, names: list[str], legacy: set[str]) -> None:
        """After the switch: links for outputs of an older kg's layout, no stale outputs,
        no older builds. Best effort: whatever fails here the next build removes."""
        try:
            for name in names:
                link = self.root / name
                if not link.is_symlink():  # written by an older kg: swap it for the link
                    if link.is_dir():
                        os.replace(link, self.root / BUILDS / f".legacy-{name}-{self.staging.name}")
                    _symlink(f"{CURRENT}/{name}", link)
            for entry in self.root.iterdir():
                if entry.name in names:
                    continue
                if entry.is_symlink() and os.readlink(entry).startswith(f"{CURRENT}/") and not entry.exists():
                    entry.unlink()
                elif entry.name in legacy and not entry.is_symlink():
                    _remove(entry)
            for entry in (self.root / BUILDS).iterdir():
                if entry.name != self.staging.name:
                    _remove(entry)
        except OSError:
            pass


@contextmanager
def output_folder(root: Path, legacy_names: Iterable[str] = (), keep: Iterable[str] = ()) -> Iterator[Publication]:
    """Lock OUT for one build, clean leftovers and make a staging folder; yields the
    `Publication`. Raises OutputError (one line) when OUT is unusable and OutputBusy when
    another build holds it. Unless published, the staging folder (and OUT itself, when
    this build created it) is removed on the way out, whatever the exit: OUT is then
    exactly as it was -- except for the names in `keep` (the extraction cache, kg.cache):
    a failed first build that wrote one leaves OUT holding only it (and the lock file),
    so the next build resumes."""
    root = Path(root)
    created = not os.path.lexists(root)
    _prepare(root)
    lock = _lock(root)
    publication = None
    try:
        cleaned = clean_leftovers(root, legacy_names)
        staging = _staging_folder(root)
        publication = Publication(root, staging, cleaned)
        try:
            yield publication
        finally:
            if not publication.published:
                shutil.rmtree(staging, ignore_errors=True)
    finally:
        if created and (publication is None or not publication.published):
            _remove_new_folder(root, set(keep))  # a failed first build leaves no empty OUT behind
        os.close(lock)  # releases the flock


def _remove_new_folder(root: Path, keep: set[str]) -> None:
    """Remove an OUT this build created, or all of it but the `keep` names that exist."""
    kept = {name for name in keep if os.path.lexists(root / name)}
    if not kept:
        shutil.rmtree(root, ignore_errors=True)
        return
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name not in kept and entry.name != LOCK_NAME:
            try:
                _remove(entry)
            except OSError:
                pass


def check_out_dir(root: Path) -> None:
    """Refuse an OUT that exists and is not a folder (before any work is done)."""
    if os.path.lexists(root) and not root.is_dir():
        what = "a broken link" if root.is_symlink() else "a file"
        raise OutputError(f"--out {shown(root)} is {what}, not a folder")


def _prepare(root: Path) -> None:
    check_out_dir(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {shown(root)}: {exc.strerror or exc}") from None


def _lock(root: Path) -> int:
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write into the output folder {shown(root)}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        who = f"another kg build (pid {holder})" if holder else "another kg build"
        raise OutputBusy(f"{who} is writing into {shown(root)}; wait for it to finish or choose another --out") from None
    except OSError as exc:
        os.close(fd)
        raise OutputError(f"cannot lock the output folder {shown(root)}: {exc.strerror or exc}") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError:
        pass  # the pid only makes the busy message friendlier
    return fd


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _staging_folder(root: Path) -> Path:
    builds = root / BUILDS
    try:
        builds.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        staging = Path(tempfile.mkdtemp(prefix=f"{stamp}-{os.getpid()}-", dir=builds))
        os.chmod(staging, 0o755)  # mkdtemp makes it private; outputs are meant to be shared
    except OSError as exc:
        raise OutputError(f"cannot write into the output folder {shown(root)}: {exc.strerror or exc}") from None
    return staging


def clean_leftovers(root: Path, legacy_names: Iterable[str] = ()) -> Cleanup:
    """Remove what killed builds left in OUT: unpublished folders in `.builds/`, temporary
    `.current` links, and an older kg's temporary files (`.graph.ttl.*.tmp`, `.store.*`).
    Call it only while holding OUT's lock: the lock proves no live build owns them."""
    current = _current_build(root)
    doomed: list[Path] = []
    builds = root / BUILDS
    if builds.is_dir():
        doomed += [p for p in builds.iterdir() if p.name != current]
    prefixes = (*(f".{name}." for name in legacy_names), f"{CURRENT}.")
    doomed += [p for p in root.iterdir() if p.name.startswith(prefixes)]
    entries = size = 0
    for path in doomed:
        bytes_ = _size(path)
        try:
            _remove(path)
        except OSError:
            continue
        entries, size = entries + 1, size + bytes_
    return Cleanup(entries, size)


def _current_build(root: Path) -> str | None:
    try:
        target = os.readlink(root / CURRENT)
    except OSError:
        return None
    return Path(target).name


def _symlink(target: str, link: Path, replace: bool = True) -> None:
    """Create `link` -> `target`; with `replace`, atomically over whatever file is there."""
    if not replace:
        link.unlink(missing_ok=True)
        os.symlink(target, link)
        return
    temp = link.with_name(f".{link.name}.{os.getpid()}.link.tmp")
    temp.unlink(missing_ok=True)
    os.symlink(target, temp)
    os.replace(temp, link)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        if path.is_symlink() or not path.is_dir():
            return path.lstat().st_size
        return sum(p.lstat().st_size for p in path.rglob("*"))
    except OSError:
        return 0


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the duration (they are delivered right after), so
    a step and the record that it happened cannot be separated by an interrupt."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
