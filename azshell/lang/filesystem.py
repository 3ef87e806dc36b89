"""The two implementations of :class:`azshell.lang.cmdlet.FileSystem`.

- :class:`LocalFileSystem`: the real disk, with its own current folder (it never changes the process's cwd);
- :class:`MemoryFileSystem`: a Windows-like disk in memory (root ``C:\\``, ``/`` and ``\\`` both separate,
  names case-insensitive), for emulated hosts; ``on_change`` lets the owner persist it.

Both raise the standard ``OSError`` subclasses (``FileNotFoundError``, ``IsADirectoryError``,
``NotADirectoryError``, ``FileExistsError``); cmdlets turn them into PowerShell's messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class FileInfo:
    """What Get-ChildItem shows for an entry."""

    name: str
    full_name: str
    is_dir: bool
    length: int
    last_write_time: datetime


class LocalFileSystem:
    """The real file system, relative paths resolved against this object's own current folder."""

    def __init__(self, cwd: str | None = None) -> None:
        self._cwd = os.path.abspath(cwd if cwd is not None else os.getcwd())

    def resolve(self, path: str) -> str:
        p = path.replace("\\", "/") if os.sep == "/" else path
        if p.startswith("~"):
            p = os.path.expanduser(p)
        if p.startswith("FileSystem::"):
            p = p[len("FileSystem::"):]
        if not os.path.isabs(p):
            p = os.path.join(self._cwd, p)
        return os.path.normpath(p)

    def read_text(self, path: str) -> str:
        with open(self.resolve(path), encoding="utf-8-sig", newline="") as f:
            return f.read()

    def read_bytes(self, path: str) -> bytes:
        with open(self.resolve(path), "rb") as f:
            return f.read()

    def write_text(self, path: str, text: str, *, append: bool = False) -> None:
        with open(self.resolve(path), "a" if append else "w", encoding="utf-8", newline="") as f:
            f.write(text)

    def write_bytes(self, path: str, data: bytes) -> None:
        with open(self.resolve(path), "wb") as f:
            f.write(data)

    def exists(self, path: str) -> bool:
        return os.path.exists(self.resolve(path))

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(self.resolve(path))

    def list_dir(self, path: str) -> list[str]:
        return sorted(os.listdir(self.resolve(path)), key=str.casefold)

    def make_dir(self, path: str) -> None:
        os.makedirs(self.resolve(path), exist_ok=True)

    def remove(self, path: str, *, recursive: bool = False) -> None:
        full = self.resolve(path)
        if os.path.isdir(full) and not os.path.islink(full):
            if recursive:
                import shutil  # lazy: shutil pulls in bz2/lzma

                shutil.rmtree(full)
            else:
                os.rmdir(full)
        else:
            os.remove(full)

    def info(self, path: str) -> FileInfo:
        full = self.resolve(path)
        st = os.stat(full)
        is_dir = os.path.isdir(full)
        return FileInfo(os.path.basename(full) or full, full, is_dir, 0 if is_dir else st.st_size,
                        datetime.fromtimestamp(st.st_mtime, tz=UTC))

    def cwd(self) -> str:
        return self._cwd

    def set_cwd(self, path: str) -> None:
        full = self.resolve(path)
        if not os.path.exists(full):
            raise FileNotFoundError(path)
        if not os.path.isdir(full):
            raise NotADirectoryError(path)
        self._cwd = full

    def join(self, *parts: str) -> str:
        return os.path.join(*parts)

    @property
    def separator(self) -> str:
        return os.sep


class MemoryFileSystem:
    """A Windows-like disk in a dict: ``C:\\`` root, case-insensitive names, ``/`` or ``\\`` separators."""

    def __init__(self, files: dict[str, bytes | str | None] | None = None, *, root: str = "C:\\",
                 cwd: str | None = None, on_change: Callable[[MemoryFileSystem], None] | None = None) -> None:
        self.drive = root.rstrip("\\/").rstrip(":").upper() + ":"
        # key (case-folded full path) -> (display path, content or None for a directory)
        self._entries: dict[str, tuple[str, bytes | None]] = {}
        self._times: dict[str, datetime] = {}
        self._on_change = on_change
        self._entries[self._key(self.root)] = (self.root, None)
        self._cwd = self.root
        for path, content in (files or {}).items():
            full = self.resolve(path)
            self._ensure_parents(full)
            if content is None:
                self._entries[self._key(full)] = (full, None)
            else:
                data = content.encode("utf-8") if isinstance(content, str) else content
                self._entries[self._key(full)] = (full, data)
        if cwd is not None:
            self._cwd = self.resolve(cwd)

    @property
    def root(self) -> str:
        return self.drive + "\\"

    @property
    def separator(self) -> str:
        return "\\"

    # paths ---------------------------------------------------------------------------------------
    @staticmethod
    def _key(full: str) -> str:
        return full.casefold()

    def resolve(self, path: str) -> str:
        """An absolute, normalised display path (``C:\\dir\\file``)."""
        p = path.replace("/", "\\")
        if p.startswith("FileSystem::"):
            p = p[len("FileSystem::"):]
        if len(p) >= 2 and p[1] == ":":
            drive = p[:2].upper()
            rest = p[2:]
            base = drive + "\\" if rest.startswith("\\") or not rest else self._cwd
            p = rest
        elif p.startswith("\\"):
            base = self.root
        elif p.startswith("~"):
            base = self.root + "Users\\azureuser"
            p = p[1:]
        else:
            base = self._cwd
        parts = [x for x in base[3:].split("\\") if x] if len(base) > 3 else []
        drive = base[:2]
        for seg in p.split("\\"):
            if seg in ("", "."):
                continue
            if seg == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(seg)
        # keep the stored spelling of existing segments
        out = drive + "\\"
        for seg in parts:
            cand = out + ("" if out.endswith("\\") else "\\") + seg
            hit = self._entries.get(self._key(cand))
            out = hit[0] if hit is not None else cand
        return out

    def _parent(self, full: str) -> str:
        if full.rstrip("\\") == self.drive:
            return self.root
        head = full.rsplit("\\", 1)[0]
        return head + "\\" if head.endswith(":") else head

    def _ensure_parents(self, full: str) -> None:
        parent = self._parent(full)
        chain = []
        while self._key(parent) not in self._entries:
            chain.append(parent)
            parent = self._parent(parent)
        for d in reversed(chain):
            self._entries[self._key(d)] = (d, None)

    def _changed(self, full: str) -> None:
        self._times[self._key(full)] = datetime.now(UTC)
        if self._on_change is not None:
            self._on_change(self)

    def _entry(self, path: str) -> tuple[str, tuple[str, bytes | None]]:
        """``path`` resolved, and its entry (stored name, content or None for a folder); FileNotFoundError."""
        full = self.resolve(path)
        hit = self._entries.get(self._key(full))
        if hit is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        return full, hit

    def _file(self, path: str) -> tuple[str, bytes]:
        hit = self._entry(path)[1]
        if hit[1] is None:
            raise IsADirectoryError(21, "Is a directory", path)
        return hit[0], hit[1]

    def _dir(self, path: str) -> tuple[str, str]:
        """``path`` resolved, and the stored name of the folder it names; FileNotFoundError, NotADirectoryError."""
        full, hit = self._entry(path)
        if hit[1] is not None:
            raise NotADirectoryError(20, "Not a directory", path)
        return full, hit[0]

    def _check_parent(self, full: str, path: str) -> None:
        parent = self._entries.get(self._key(self._parent(full)))
        if parent is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        if parent[1] is not None:
            raise NotADirectoryError(20, "Not a directory", path)

    # protocol ------------------------------------------------------------------------------------
    def read_text(self, path: str) -> str:
        data = self._file(path)[1]
        text = data.decode("utf-8", errors="replace")
        return text[1:] if text.startswith("\ufeff") else text

    def read_bytes(self, path: str) -> bytes:
        return self._file(path)[1]

    def write_text(self, path: str, text: str, *, append: bool = False) -> None:
        full = self.resolve(path)
        old = self._entries.get(self._key(full))
        if old is not None and old[1] is None:
            raise IsADirectoryError(21, "Is a directory", path)
        self._check_parent(full, path)
        data = text.encode("utf-8")
        if append and old is not None and old[1] is not None:
            data = old[1] + data
        self._entries[self._key(full)] = (old[0] if old else full, data)
        self._changed(full)

    def write_bytes(self, path: str, data: bytes) -> None:
        full = self.resolve(path)
        old = self._entries.get(self._key(full))
        if old is not None and old[1] is None:
            raise IsADirectoryError(21, "Is a directory", path)
        self._check_parent(full, path)
        self._entries[self._key(full)] = (old[0] if old else full, bytes(data))
        self._changed(full)

    def exists(self, path: str) -> bool:
        return self._key(self.resolve(path)) in self._entries

    def is_dir(self, path: str) -> bool:
        hit = self._entries.get(self._key(self.resolve(path)))
        return hit is not None and hit[1] is None

    def list_dir(self, path: str) -> list[str]:
        full = self._dir(path)[0]
        prefix = self._key(full if full.endswith("\\") else full + "\\")
        names = []
        for key, (display, _) in self._entries.items():
            if key.startswith(prefix) and key != prefix and "\\" not in key[len(prefix):]:
                names.append(display.rsplit("\\", 1)[-1])
        return sorted(names, key=str.casefold)

    def make_dir(self, path: str) -> None:
        full = self.resolve(path)
        hit = self._entries.get(self._key(full))
        if hit is not None:
            if hit[1] is not None:
                raise FileExistsError(17, "File exists", path)
            return
        self._ensure_parents(full)
        self._entries[self._key(full)] = (full, None)
        self._changed(full)

    def remove(self, path: str, *, recursive: bool = False) -> None:
        full, hit = self._entry(path)
        key = self._key(full)
        if full == self.root:
            raise PermissionError(13, "Permission denied", path)
        if hit[1] is None:
            prefix = key + "\\"
            children = [k for k in self._entries if k.startswith(prefix)]
            if children and not recursive:
                raise OSError(39, "Directory not empty", path)
            for k in children:
                del self._entries[k]
        del self._entries[key]
        self._changed(full)

    def info(self, path: str) -> FileInfo:
        full, hit = self._entry(path)
        when = self._times.get(self._key(full), datetime(2024, 1, 1, tzinfo=UTC))
        name = hit[0].rstrip("\\").rsplit("\\", 1)[-1] or hit[0]
        return FileInfo(name, hit[0], hit[1] is None, len(hit[1] or b""), when)

    def cwd(self) -> str:
        return self._cwd

    def set_cwd(self, path: str) -> None:
        self._cwd = self._dir(path)[1]

    def join(self, *parts: str) -> str:
        out = ""
        for p in parts:
            if not out:
                out = p
            else:
                out = out.rstrip("\\/") + "\\" + p.lstrip("\\/")
        return out

    # persistence ---------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, bytes | None]:
        """Every entry (display path → bytes, or None for a directory), for the owner to persist."""
        return {display: data for display, data in self._entries.values()}

    @classmethod
    def from_snapshot(cls, snap: dict[str, bytes | None], *, root: str = "C:\\",
                      on_change: Callable[[MemoryFileSystem], None] | None = None) -> MemoryFileSystem:
        fs = cls(root=root)
        for path, data in snap.items():
            full = fs.resolve(path)
            fs._ensure_parents(full)
            fs._entries[fs._key(full)] = (full, data)
        fs._on_change = on_change
        return fs


__all__ = ["FileInfo", "LocalFileSystem", "MemoryFileSystem"]
