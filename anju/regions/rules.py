"""Pure rules for 12-digit statistical division codes (district 6 + street 3 + community 3)."""

import re

CODE_RE = re.compile(r"^[0-9]{12}$")
PREFIX_LENGTH = {"district": 6, "street": 9, "community": 12}
PARENT_LEVEL = {"street": "district", "community": "street"}


def level_of(code: str) -> str | None:
    """Return the level a well-formed code denotes, or None if it is malformed."""
    if not CODE_RE.match(code) or code[:6] == "000000":
        return None
    if code[6:] == "000000":
        return "district"
    if code[9:] == "000" and code[6:9] != "000":
        return "street"
    if code[6:9] != "000" and code[9:] != "000":
        return "community"
    return None


def prefix_of(code: str) -> str:
    level = level_of(code)
    if level is None:
        raise ValueError(code)
    return code[: PREFIX_LENGTH[level]]


def is_child_code(parent_code: str, child_code: str) -> bool:
    """True when child_code is exactly one level below parent_code and shares its prefix."""
    parent_level, child_level = level_of(parent_code), level_of(child_code)
    if parent_level is None or child_level is None:
        return False
    if PARENT_LEVEL.get(child_level) != parent_level:
        return False
    return child_code.startswith(prefix_of(parent_code))
