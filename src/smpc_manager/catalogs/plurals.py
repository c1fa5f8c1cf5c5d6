"""Plural forms: the ``Plural-Forms`` header as GNU gettext reads, checks and writes it.

:func:`parse_plural` reads a ``plural=`` expression with the C grammar of GNU gettext's
``plural.y`` (``n``, numbers, ``! * / % + - < > <= >= == != && || ?:`` and parentheses, up to
a ``;`` or the line's end) and :func:`evaluate` computes it in C's ``unsigned long``, so that
``msgfmt --check``'s verdict on a header (:func:`plural_problems`) is ours: nplurals must be
a number, the expression valid, and for every n up to 1000 its value below nplurals, never
negative, never a division by zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

#: C's unsigned long on the systems GNU gettext runs on.
_BITS = 64
_MASK = (1 << _BITS) - 1


class PluralError(Exception):
    """A ``plural=`` expression GNU gettext cannot read, or one that fails for some n."""


@dataclass(frozen=True)
class Expression:
    """A node of a plural expression: ``n``, a number, or an operator and its operands."""

    operator: str
    operands: tuple[Expression, ...] = ()
    number: int = 0


_LEXEME = re.compile(r"[ \t]*(?:([0-9]+)|(==|!=|&&|\|\||<=|>=|[-+*/%<>!?:()n])|([;\n]|\Z)|(.))",
                     re.DOTALL)
#: Binary operators by precedence, loosest first (C's).
_LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))


def parse_plural(text: str) -> Expression:
    """The expression at the start of ``text`` (what follows ``plural=``), up to a ``;``,
    a line end or the end; raise :class:`PluralError` if GNU gettext could not read it.

    >>> evaluate(parse_plural("(n != 1);"), 1), evaluate(parse_plural("n>1"), 5)
    (0, 1)
    """
    tokens: list[str | int] = []
    position = 0
    while True:
        found = _LEXEME.match(text, position)
        assert found is not None  # the last alternative takes any character
        number, operator, end, other = found.groups()
        position = found.end()
        if other is not None:
            raise PluralError(f"unexpected {other!r}")
        if end is not None:
            break
        tokens.append(int(number) & _MASK if number is not None else operator)
    parser = _Parser(tokens)
    expression = parser.conditional()
    if parser.at != len(tokens):
        raise PluralError(f"unexpected {tokens[parser.at]!r}")
    return expression


class _Parser:
    def __init__(self, tokens: list[str | int]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str | int | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expect(self, token: str) -> None:
        if self.peek() != token:
            raise PluralError(f"expected {token!r}")
        self.at += 1

    def conditional(self) -> Expression:
        condition = self.binary(0)
        if self.peek() != "?":
            return condition
        self.at += 1
        then = self.conditional()
        self.expect(":")
        return Expression("?", (condition, then, self.conditional()))

    def binary(self, level: int) -> Expression:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _LEVELS[level]:
            operator = str(self.peek())
            self.at += 1
            left = Expression(operator, (left, self.binary(level + 1)))
        return left

    def unary(self) -> Expression:
        token = self.peek()
        self.at += 1
        if token == "!":
            return Expression("!", (self.unary(),))
        if token == "n":
            return Expression("n")
        if isinstance(token, int):
            return Expression("number", number=token)
        if token == "(":
            inner = self.conditional()
            self.expect(")")
            return inner
        raise PluralError("expected n, a number or '('" if token is None
                          else f"unexpected {token!r}")


def _divide(a: int, b: int) -> int:
    if b == 0:
        raise PluralError("plural expression can produce division by zero")
    return a // b


def _modulo(a: int, b: int) -> int:
    if b == 0:
        raise PluralError("plural expression can produce division by zero")
    return a % b


_ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "*": lambda a, b: a * b, "/": _divide, "%": _modulo, "+": lambda a, b: a + b,
    "-": lambda a, b: a - b, "<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b),
    "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
}


def evaluate(expression: Expression, n: int) -> int:
    """The value of ``expression`` for ``n``, in C's unsigned long arithmetic."""
    operator, operands = expression.operator, expression.operands
    if operator == "n":
        return n & _MASK
    if operator == "number":
        return expression.number
    if operator == "!":
        return int(not evaluate(operands[0], n))
    if operator == "?":
        return evaluate(operands[1] if evaluate(operands[0], n) else operands[2], n)
    left = evaluate(operands[0], n)
    if operator == "||":
        return int(bool(left) or bool(evaluate(operands[1], n)))
    if operator == "&&":
        return int(bool(left) and bool(evaluate(operands[1], n)))
    return _ARITHMETIC[operator](left, evaluate(operands[1], n)) & _MASK


#: How many values of n up to 1000 a form must take to count as taken infinitely often
#: (GNU's OFTEN): a translation of such a form must keep every format directive.
OFTEN = 5


@dataclass(frozen=True)
class PluralForms:
    """A header's plural forms as ``msgfmt --check`` knows them."""

    nplurals: int
    expression: Expression
    #: For each form, whether n takes it at least :data:`OFTEN` times up to 1000.
    often: tuple[bool, ...]

    def count(self, form: int, low: int, high: int) -> int:
        """How many n in ``low..high`` take ``form`` (at most 2: enough to tell one from
        many)."""
        found = 0
        for n in range(low, high + 1):
            if evaluate(self.expression, n) == form:
                found += 1
                if found > 1:
                    break
        return found


_NPLURALS = re.compile(r"[ \t\n\r\f\v]*([0-9]*)")


def plural_forms(header: str) -> PluralForms | None:
    """The plural forms of a header's text, checked as ``msgfmt --check`` checks them; None
    when it has no ``plural=`` or no ``nplurals=``. Raise :class:`PluralError` with GNU's
    reason when they are wrong."""
    plural_at = header.find("plural=")
    nplurals_at = header.find("nplurals=")
    if plural_at < 0 or nplurals_at < 0:
        return None
    digits = _NPLURALS.match(header, nplurals_at + len("nplurals="))
    if digits is None or not digits.group(1):
        raise PluralError("invalid nplurals value")
    return _checked(int(digits.group(1)), header[plural_at + len("plural="):])


@lru_cache(maxsize=64)
def _checked(nplurals: int, expression_text: str) -> PluralForms:
    """:func:`plural_forms` of ``nplurals`` and the header's text from its ``plural=``,
    remembered: every catalog of a language has the same, and checking the expression
    takes a thousand evaluations (a :class:`PluralError` is not remembered)."""
    try:
        expression = parse_plural(expression_text)
    except PluralError:
        raise PluralError("invalid plural expression") from None
    taken: dict[int, int] = {}
    for n in range(1001):
        value = evaluate(expression, n)
        if value >= 1 << (_BITS - 1):
            raise PluralError("plural expression can produce negative values")
        if value >= nplurals:
            raise PluralError(f"nplurals = {nplurals} but plural expression can produce"
                              f" values as large as {value}")
        taken[value] = taken.get(value, 0) + 1
    # GNU keeps no such statistics for a nonsensical number of forms (over 100).
    often = tuple(taken.get(form, 0) >= OFTEN for form in range(nplurals)) \
        if nplurals <= 100 else ()
    return PluralForms(nplurals, expression, often)


# ------------------------------------------------------------------------ msginit's table


_GERMANIC = "nplurals=2; plural=(n != 1);"
_SLAVIC = ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 &&"
           " (n%100<10 || n%100>=20) ? 1 : 2);")
_CZECH = "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"

#: The Plural-Forms GNU ``msginit`` 0.21 writes for a new catalog, by its built-in table
#: (``plural-table.c``); for a language not in it, it writes none (unless pointed at
#: CLDR's data), and neither do we.
MSGINIT_PLURAL_FORMS = {
    **dict.fromkeys(("ja", "vi", "ko"), "nplurals=1; plural=0;"),
    **dict.fromkeys(("en", "de", "nl", "sv", "da", "no", "nb", "nn", "fo", "es", "pt", "it",
                     "bg", "el", "fi", "et", "he", "eo", "hu", "tr"), _GERMANIC),
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "ga": "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
    "ro": "nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;",
    "lt": ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 ||"
           " n%100>=20) ? 1 : 2);"),
    **dict.fromkeys(("ru", "uk", "be", "sr", "hr"), _SLAVIC),
    **dict.fromkeys(("cs", "sk"), _CZECH),
    "pl": ("nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ?"
           " 1 : 2);"),
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
}


def msginit_plural_forms(locale: str) -> str | None:
    """The ``Plural-Forms`` value GNU ``msginit -l LOCALE`` writes (``de_AT``,
    ``sr@latin``, ``pt_BR``), or None where it writes none.

    >>> msginit_plural_forms("fr_BE")
    'nplurals=2; plural=(n > 1);'
    """
    if locale in MSGINIT_PLURAL_FORMS:
        return MSGINIT_PLURAL_FORMS[locale]
    return MSGINIT_PLURAL_FORMS.get(re.split(r"[_.@]", locale, maxsplit=1)[0])
