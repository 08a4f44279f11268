"""Replacing a file that held a secret: atomic, and no old copy left in the free space."""

from __future__ import annotations

import os

from meixian_desktop.store.files import finish_replacement, replace_wiping


def test_the_old_content_is_zeroed_where_it_lay(tmp_path) -> None:
    path = tmp_path / "vault.json"
    path.write_bytes(b'{"clear": "the data key"}')
    old_inode = tmp_path / "old-inode"
    os.link(path, old_inode)  # a window onto the blocks the old file occupied
    replace_wiping(path, b'{"clear": null}')
    assert path.read_bytes() == b'{"clear": null}'
    assert set(old_inode.read_bytes()) == {0}
    assert not (tmp_path / "vault.json.part").exists()


def test_a_cut_after_the_zeroing_is_mended_from_the_part(tmp_path) -> None:
    path = tmp_path / "x25519.key"
    path.write_bytes(b"\0" * 40)  # zeroed, then the power went
    (tmp_path / "x25519.key.part").write_bytes(b"MXE1 sealed")
    finish_replacement(path)
    assert path.read_bytes() == b"MXE1 sealed" and not (tmp_path / "x25519.key.part").exists()


def test_a_cut_before_the_zeroing_keeps_the_old_file(tmp_path) -> None:
    path = tmp_path / "x25519.key"
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----")
    (tmp_path / "x25519.key.part").write_bytes(b"MXE1 half")
    finish_replacement(path)
    assert path.read_bytes() == b"-----BEGIN PRIVATE KEY-----"
    assert not (tmp_path / "x25519.key.part").exists()
