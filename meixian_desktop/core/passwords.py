"""Is a password good enough to guard a laptop full of families' and children's records?"""

from __future__ import annotations

DEMO_PASSWORD = "meixian-demo-2026"  # shown on the demo's sign-in window: the demo is public
MIN_LENGTH = 8
COMMON = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "88888888", "66666666",
    "00000000", "12341234", "11223344", "abcd1234", "abc12345", "password", "password1",
    "qwertyui", "qwerty123", "1qaz2wsx", "a1234567", "woaini1314", "iloveyou", "meixian",
    "meixian123", "pingjiang", "wanggeyuan",
})


def password_problem(password: str, *, phone: str = "", name: str = "") -> str:
    """Why ``password`` is too weak, in a sentence that says what to do; "" when it will do."""
    text = password.strip()
    if len(text) < MIN_LENGTH:
        return f"密码至少要 {MIN_LENGTH} 位。可以用好记的一句话的拼音加数字，如 “mxzh2026jia”。"
    lowered = text.lower()
    if lowered in COMMON or len(set(lowered)) <= 2:
        return "这个密码太常见，别人很容易猜到，请换一个。"
    if _is_run(lowered):
        return "连续的数字或字母（如 12345678、abcdefgh）很容易猜到，请换一个。"
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits and (digits in lowered or (len(digits) >= 8 and digits[-8:] in lowered)):
        return "不能用手机号码做密码，请换一个。"
    if name and name.strip() and name.strip().lower() in lowered and len(lowered) < 12:
        return "不要用自己的名字做密码，请换一个。"
    return ""


def _is_run(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}
