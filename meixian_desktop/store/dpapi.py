"""Windows DPAPI (CryptProtectData) through ctypes: data only this Windows account can open."""

from __future__ import annotations

import ctypes
from ctypes import wintypes
from typing import Any

ENTROPY = b"meixian-desktop vault"
CRYPTPROTECT_UI_FORBIDDEN = 0x01


class _Blob(ctypes.Structure):
    _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]


def _blob(data: bytes) -> tuple[_Blob, Any]:
    buffer = ctypes.create_string_buffer(data, len(data))
    return _Blob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char))), buffer


def _call(name: str, data: bytes) -> bytes:
    crypt32 = ctypes.windll.crypt32  # type: ignore[attr-defined]
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    source, _keep = _blob(data)
    entropy, _keep_entropy = _blob(ENTROPY)
    result = _Blob()
    # Both functions take (in, description, entropy, reserved, prompt, flags, out).
    ok = getattr(crypt32, name)(ctypes.byref(source), None, ctypes.byref(entropy), None, None,
                                CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(result))
    if not ok:
        raise OSError(getattr(ctypes, "get_last_error", lambda: 0)() or 0, f"{name} failed")
    try:
        return ctypes.string_at(result.pbData, result.cbData)
    finally:
        kernel32.LocalFree(result.pbData)


def protect(data: bytes) -> bytes:
    return _call("CryptProtectData", data)


def unprotect(data: bytes) -> bytes:
    return _call("CryptUnprotectData", data)
