"""Each emulated host's own small disk, kept in the state file.

On a VM or an app, ``echo "x" > Test1.txt``, ``Get-Content``, ``Invoke-WebRequest -InFile/-OutFile`` and
``curl -T/-o`` use the host's disk, as they would on the real machine; off-host the session uses the real
current folder. The disk is a :class:`~azshell.lang.filesystem.MemoryFileSystem` loaded from the
``host_files`` table when the session steps onto the host; every file write or removal is written through
to the table at once, so the REPL, the kernel and later sessions see the same files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from azshell.lang.filesystem import MemoryFileSystem
from azshell.model import hosts as host_store

if TYPE_CHECKING:
    from azshell.model.store import Store


class HostDisk(MemoryFileSystem):
    """A host's disk: a Windows-like ``C:\\`` drive whose files persist in the state.

    Arguments:
        store: the state the files live in.
        host_id: the ARM resource ID of the VM or app.
        cwd: the folder the session starts in (``C:\\`` on a VM, the site root on App Service).
    """

    def __init__(self, store: Store, host_id: str, *, cwd: str | None = None) -> None:
        saved = host_store.list_host_files(store, host_id)
        super().__init__({f.path: f.content for f in saved})
        for f in saved:  # keep each file's real write time (Get-ChildItem's LastWriteTime)
            self._times[self._key(self.resolve(f.path))] = datetime.fromtimestamp(f.mtime, tz=UTC)
        self._store = store
        self._host_id = host_id
        if cwd is not None:
            target = self.resolve(cwd)
            if not self.exists(target):
                self.make_dir(target)
            self.set_cwd(target)

    def write_text(self, path: str, text: str, *, append: bool = False) -> None:
        super().write_text(path, text, append=append)
        self._persist(path)

    def write_bytes(self, path: str, data: bytes) -> None:
        super().write_bytes(path, data)
        self._persist(path)

    def remove(self, path: str, *, recursive: bool = False) -> None:
        full = self.resolve(path)
        gone = [f.path for f in host_store.list_host_files(self._store, self._host_id)
                if f.path.casefold() == full.casefold() or f.path.casefold().startswith(full.casefold() + "\\")]
        super().remove(path, recursive=recursive)
        with self._store.transaction(bump_generation=False):
            for p in gone:
                host_store.delete_host_file(self._store, self._host_id, p)

    def _persist(self, path: str) -> None:
        full = self.resolve(path)
        host_store.write_host_file(self._store, self._host_id, full, self.read_bytes(full))
