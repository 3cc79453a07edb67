"""Cell types of Excel ledgers: how a cell is read (strictly), written and described.

Each type's parse() takes a non-blank raw cell value (as openpyxl reads it: str, int, float,
datetime, bool) and returns the internal value or raises CellError with a translated
message. to_cell() turns an internal value back into what the template shows, so that an
export can be imported again.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MOBILE_RE = re.compile(r"^1[0-9]{10}$")
LANDLINE_RE = re.compile(r"^(?:0[0-9]{2,3}-[0-9]{7,8}|[02-9][0-9]{6,11})$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
EXCEL_SERIAL_RANGE = (1, 2_958_465)  # 1900-01-01 .. 9999-12-31


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def id_number_is_valid(value: str) -> bool:
    """True for an 18-character resident ID number with a valid birth date and GB 11643 check."""
    if not ID_NUMBER_RE.match(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1850:
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11] == value[17]


def phone_is_valid(value: str) -> bool:
    """True for a mobile (11 digits starting with 1) or a landline (7-12 digits, one dash)."""
    if value.startswith("1"):
        return bool(MOBILE_RE.match(value))
    return bool(LANDLINE_RE.match(value))


def normalize(text: Any) -> str:
    """Fold a header or choice for comparison: width, case, spaces and required-marks."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"\s+", "", text).rstrip("*")


def display(value: Any) -> str:
    """Render a raw or internal value as text for an error listing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        return display(raw)
    return str(raw).strip()


class Cell:
    """Plain text up to max_length characters."""

    text_format = False  # format the template's column as Text (codes, ID numbers, phones)

    def __init__(self, max_length: int = 100):
        self.max_length = max_length

    def parse(self, raw: Any) -> Any:
        value = _as_text(raw)
        if len(value) > self.max_length:
            raise CellError(
                _("Enter at most %(max)s characters (this has %(count)s).")
                % {"max": self.max_length, "count": len(value)}
            )
        return value

    def to_cell(self, value: Any) -> Any:
        return value

    def options(self) -> list[str]:
        return []

    def describe(self) -> str:
        return _("Text, at most %(max)s characters") % {"max": self.max_length}


Text = Cell


class Code(Cell):
    """A division code of exactly 12 digits."""

    text_format = True

    def __init__(self):
        super().__init__(12)

    def parse(self, raw: Any) -> str:
        value = _as_text(raw)
        if not re.fullmatch(r"[0-9]{12}", value):
            raise CellError(_("Enter a 12-digit division code."))
        return value

    def describe(self) -> str:
        return _("12 digits, e.g. 510104001001")


class Integer(Cell):
    def __init__(self, minimum: int, maximum: int):
        super().__init__()
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError(_("Enter a whole number."))
        if isinstance(raw, float):
            if not raw.is_integer():
                raise CellError(_("Enter a whole number."))
            value = int(raw)
        elif isinstance(raw, int):
            value = raw
        else:
            text = _as_text(raw)
            if not re.fullmatch(r"[+-]?[0-9]+", text):
                raise CellError(_("Enter a whole number."))
            value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise CellError(
                _("Enter a whole number from %(min)s to %(max)s.")
                % {"min": self.minimum, "max": self.maximum}
            )
        return value

    def describe(self) -> str:
        return _("Whole number from %(min)s to %(max)s") % {
            "min": self.minimum,
            "max": self.maximum,
        }


class Number(Cell):
    """A decimal with at most `places` decimal places within [minimum, maximum].

    With positive=True the number must be greater than minimum (e.g. an area > 0).
    """

    def __init__(
        self,
        places: int = 2,
        *,
        minimum: Decimal | int | None = 0,
        maximum: Decimal | int | None = None,
        positive: bool = False,
    ):
        super().__init__()
        self.places = places
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)
        self.positive = positive

    def parse(self, raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise CellError(_("Enter a number."))
        try:
            # repr() of a float is its shortest exact spelling: 89.5, not 89.5000000001.
            value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(_as_text(raw))
        except InvalidOperation as exc:
            raise CellError(_("Enter a number.")) from exc
        if not value.is_finite():
            raise CellError(_("Enter a number."))
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -self.places:
            raise CellError(
                _("Enter a number with at most %(places)s decimal places.")
                % {"places": self.places}
            )
        if self.positive and value <= (self.minimum or 0):
            raise CellError(_("Must be greater than %(min)s.") % {"min": self.minimum or 0})
        if self.minimum is not None and value < self.minimum:
            if self.minimum == 0:
                raise CellError(_("Cannot be negative."))
            raise CellError(_("Must be at least %(min)s.") % {"min": self.minimum})
        if self.maximum is not None and value > self.maximum:
            raise CellError(_("Must be at most %(max)s.") % {"max": self.maximum})
        try:
            return value.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation as exc:  # more digits than any column holds
            raise CellError(_("Enter a number.")) from exc

    def describe(self) -> str:
        text = _("Number with at most %(places)s decimal places") % {"places": self.places}
        if self.positive:
            text += _(", greater than %(min)s") % {"min": self.minimum or 0}
        elif self.minimum is not None:
            text += _(", at least %(min)s") % {"min": self.minimum}
        if self.maximum is not None:
            text += _(", at most %(max)s") % {"max": self.maximum}
        return text


class Day(Cell):
    """A calendar date: an Excel date cell, or text like 2024-01-31."""

    def parse(self, raw: Any) -> date:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            if EXCEL_SERIAL_RANGE[0] <= raw <= EXCEL_SERIAL_RANGE[1] and float(raw).is_integer():
                from openpyxl.utils.datetime import from_excel

                return from_excel(int(raw)).date()
            raise CellError(_("Enter a date such as 2024-01-31."))
        text = _as_text(raw)
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
            except ValueError:
                continue
        raise CellError(_("Enter a date such as 2024-01-31."))

    def describe(self) -> str:
        return _("Date, e.g. 2024-01-31")


class Choice(Cell):
    """One of a TextChoices: the label as shown in the template (any language) or the code."""

    def __init__(self, choices: type[models.TextChoices]):
        super().__init__()
        self.choices = choices
        self._lookup: dict[str, str] | None = None

    def lookup(self) -> dict[str, str]:
        """Map every spelling accepted (codes, labels in each language) to the code."""
        if self._lookup is None:
            lookup = {normalize(value): value for value, _label in self.choices.choices}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    for value, label in self.choices.choices:
                        lookup.setdefault(normalize(label), value)
            # Exact spellings too, so that most cells need no normalizing at all.
            lookup.update({v: v for v, _label in self.choices.choices})
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    for value, label in self.choices.choices:
                        lookup.setdefault(str(label), value)
            self._lookup = lookup
        return self._lookup

    def parse(self, raw: Any) -> str:
        lookup = self.lookup()
        value = lookup.get(raw) if isinstance(raw, str) else None  # the common, exact case
        if value is None:
            value = lookup.get(normalize(_as_text(raw)))
        if value is None:
            raise CellError(
                _("Choose one of: %(choices)s.") % {"choices": "、".join(self.options())}
            )
        return value

    def to_cell(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        try:
            return str(self.choices(value).label)
        except ValueError:
            return value

    def options(self) -> list[str]:
        return [str(label) for _value, label in self.choices.choices]

    def describe(self) -> str:
        return _("One of: %(choices)s") % {"choices": "、".join(self.options())}


YES_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
NO_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "不"}


class YesNo(Cell):
    def __init__(self):
        super().__init__()
        self._words: dict[str, bool] | None = None

    def words(self) -> dict[str, bool]:
        """Every accepted spelling (normalized), in any language, and what it means."""
        if self._words is None:
            words = dict.fromkeys(YES_WORDS, True) | dict.fromkeys(NO_WORDS, False)
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    words[normalize(_("Yes"))] = True
                    words[normalize(_("No"))] = False
            self._words = words
        return self._words

    def parse(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        words = self.words()
        value = words.get(raw) if isinstance(raw, str) else None
        if value is None:
            value = words.get(normalize(_as_text(raw)))
        if value is None:
            raise CellError(_("Enter “%(yes)s” or “%(no)s”.") % {"yes": _("Yes"), "no": _("No")})
        return value

    def to_cell(self, value: Any) -> Any:
        if value is None:
            return None
        return str(_("Yes") if value else _("No"))

    def options(self) -> list[str]:
        return [str(_("Yes")), str(_("No"))]

    def describe(self) -> str:
        return _("“%(yes)s” or “%(no)s”") % {"yes": _("Yes"), "no": _("No")}


class Phone(Cell):
    text_format = True

    def __init__(self):
        super().__init__(20)

    def parse(self, raw: Any) -> str:
        value = re.sub(r"\s+", "", _as_text(raw))
        if not phone_is_valid(value):
            raise CellError(
                _(
                    "Enter a mobile number (11 digits starting with 1) or a landline "
                    "(7 to 12 digits, e.g. 028-85551234)."
                )
            )
        return value

    def describe(self) -> str:
        return _("Mobile: 11 digits starting with 1; landline: 7 to 12 digits, one dash allowed")


class IdNumber(Cell):
    """An identity document number, checked by the ledger against the owner's kind."""

    text_format = True

    def __init__(self):
        super().__init__(18)

    def parse(self, raw: Any) -> str:
        if not isinstance(raw, str):
            # Excel keeps 15 significant digits: an 18-digit number typed into a
            # number cell has already lost its last digits.
            raise CellError(_("Enter the ID number as text (format the cell as Text)."))
        return super().parse(raw.replace(" ", "")).upper()

    def describe(self) -> str:
        return _(
            "Persons: 18-character resident ID number (last character may be X); "
            "organisations: 18-character unified social credit code"
        )
