import os

import pytest

from azshell.lang.filesystem import LocalFileSystem, MemoryFileSystem


def test_local_fs_has_own_cwd(tmp_path):
    before = os.getcwd()
    fs = LocalFileSystem(str(tmp_path))
    fs.make_dir("sub")
    fs.set_cwd("sub")
    fs.write_text("a.txt", "hi")
    fs.write_text("a.txt", " there", append=True)
    assert fs.read_text("a.txt") == "hi there"
    assert (tmp_path / "sub" / "a.txt").exists()
    assert os.getcwd() == before
    assert fs.list_dir(".") == ["a.txt"]
    assert fs.exists("../sub/a.txt") and fs.is_dir("..")
    fs.remove("a.txt")
    assert not fs.exists("a.txt")
    with pytest.raises(FileNotFoundError):
        fs.set_cwd("nope")


def test_memory_fs_windows_like():
    changes = []
    fs = MemoryFileSystem({"/home/a.txt": "hi"}, on_change=changes.append)
    assert fs.cwd() == "C:\\"
    assert fs.exists("c:/HOME/A.TXT") and fs.read_text("C:\\home\\a.txt") == "hi"
    fs.set_cwd("/home")
    fs.write_text("b.txt", "yo")
    assert fs.resolve("b.txt") == "C:\\home\\b.txt"
    assert fs.list_dir(".") == ["a.txt", "b.txt"]
    assert changes
    fs.make_dir("d/e")
    assert fs.is_dir("D\\E")
    with pytest.raises(OSError):
        fs.remove("d")
    fs.remove("d", recursive=True)
    assert not fs.exists("d/e")
    with pytest.raises(FileNotFoundError):
        fs.write_text("missing/x.txt", "x")
    with pytest.raises(FileNotFoundError):
        fs.read_text("nope")


def test_memory_fs_snapshot_roundtrip():
    fs = MemoryFileSystem({"/x/y.txt": "data"})
    copy = MemoryFileSystem.from_snapshot(fs.snapshot())
    assert copy.read_text("/x/y.txt") == "data"
