"""The sandbox a portfolio's own template runs in: Jinja2's, with limits on what it spends.

Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` keeps a template from
reaching Python objects beyond the values it is given, but not from spending: two nested
loops over ``range(100000)`` run for hours, ``"x" * 10**9`` or a string doubled in a loop
fills the memory, ``9 ** 9 ** 9`` computes for ever (Jinja2's documentation leaves such
limits to the application). A portfolio's template lays out one product, so one rendering
of it gets at most:

- :data:`MAX_SECONDS` of wall-clock time;
- :data:`MAX_STEPS` loop iterations and calls (of macros, filters, methods) in all;
- :data:`MAX_OUTPUT` characters of output, and as much in any one value it makes (a string,
  a list with what it holds); no number argument larger than that (a width, a count);
- :data:`MAX_MADE` characters in all the values its calls, filters and operators make;
- whole numbers of at most :data:`MAX_INT_BITS` bits.

They are checked where a template spends: each iteration of every ``{% for %}`` (the code
compiled for it iterates through :meth:`BoundedEnvironment.counted`), each call, filter and
arithmetic operator, each ``~``, list and dict it writes, each macro or block it gathers
and each piece of output. Operations that multiply (``*``, ``**``, a format's width,
``replace``, ``indent``, ``expandtabs``) are measured before they run; the others, whose
results cannot outgrow what they are given by much, after. Between two checks the work is
bounded by the sizes, so the clock is looked at often enough.

A limit passed raises :class:`TemplateLimitError`; :func:`render_bounded` is the one way a
template of this environment runs.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

import jinja2
import jinja2.sandbox
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context

#: Wall-clock seconds one rendering may take.
MAX_SECONDS = 2.0
#: Loop iterations and calls one rendering may make, all loops and calls together.
MAX_STEPS = 100_000
#: Characters of output, and of any one value (a string; a list, tuple or dict with what
#: it holds): a summary of a product's characteristics is some kilobytes.
MAX_OUTPUT = 1_000_000
#: Characters of all the values the template's calls, filters and operators make.
MAX_MADE = 20 * MAX_OUTPUT
#: Bits of a whole number the template computes.
MAX_INT_BITS = 4096


class TemplateLimitError(jinja2.TemplateRuntimeError):
    """A template went past one of the limits of a rendering; the message says which."""


@dataclass(slots=True)
class Budget:
    """What one rendering has spent so far, and until when it may run."""

    deadline: float
    steps: int = 0
    made: int = 0

    def step(self) -> None:
        """One loop iteration or call more: within :data:`MAX_STEPS` and the time."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(f"it made more than {MAX_STEPS:,} loop iterations and"
                                     " calls, the limit for one output; is a loop endless?")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"it ran longer than {MAX_SECONDS:g} seconds, the limit"
                                     " for one output")

    def spent_on(self, value: Any) -> Any:
        """``value``, made by the template: within the size of one value and of all."""
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise _too_large_number()
        size = size_of(value)
        if size > MAX_OUTPUT:
            raise _too_large_value()
        self.made += size
        if self.made > MAX_MADE:
            raise TemplateLimitError(f"its values came to more than {MAX_MADE:,} characters"
                                     " in all, the limit for one output")
        return value


_BUDGET: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


def _spending() -> Budget:
    budget = _BUDGET.get()
    if budget is None:
        raise RuntimeError("a portfolio template runs only through render_bounded()")
    return budget


def render_bounded(template: jinja2.Template, values: dict[str, Any]) -> str:
    """``template`` (of a :class:`BoundedEnvironment`) laid out with ``values``, within the
    limits of one rendering; :class:`TemplateLimitError` (raised at the template's line)
    when it passes one."""
    token = _BUDGET.set(Budget(deadline=time.monotonic() + MAX_SECONDS))
    try:
        budget = _spending()
        pieces: list[str] = []
        length = 0
        stream = cast(Generator[str, None, None], template.generate(**values))
        for piece in stream:
            length += len(piece)
            try:
                if length > MAX_OUTPUT:
                    raise TemplateLimitError(f"its output passed {MAX_OUTPUT:,} characters,"
                                             " the limit for one output")
                budget.check_time()
            except TemplateLimitError as err:
                # Raised where the template stands, so that the error names its line.
                stream.throw(err)
                raise
            pieces.append(piece)
        return "".join(pieces)
    finally:
        _BUDGET.reset(token)


# ------------------------------------------------------------------------ sizes


def size_of(value: Any) -> int:
    """How many characters ``value`` amounts to: a string its length; a list, tuple, set or
    dict one for each item and what the items amount to; anything else one. The count stops
    soon after :data:`MAX_OUTPUT`, so it costs little however large the value."""
    total = 0
    pending = [value]
    while pending and total <= MAX_OUTPUT:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            total += len(item)
            if total <= MAX_OUTPUT:
                pending.extend(item.items() if isinstance(item, dict) else item)
        else:
            total += 1
    return total


def _too_large_value() -> TemplateLimitError:
    return TemplateLimitError(f"it made a value of more than {MAX_OUTPUT:,} characters, the"
                              " limit for one output")


def _too_large_number() -> TemplateLimitError:
    return TemplateLimitError(f"it computed a number of more than {MAX_INT_BITS:,} bits")


def _check_arguments(arguments: Iterable[Any]) -> None:
    """Arguments a call or filter may be given: no number over :data:`MAX_OUTPUT` (a
    width or a count that large makes a value over the limit), no value over it."""
    for argument in arguments:
        if isinstance(argument, int) and not isinstance(argument, bool):
            if abs(argument) > MAX_OUTPUT:
                raise TemplateLimitError(f"a number argument over {MAX_OUTPUT:,}"
                                         f" ({_digits(argument)}), the limit for one output")
        elif size_of(argument) > MAX_OUTPUT:
            raise _too_large_value()


def _digits(number: int) -> str:
    return f"{number:,}" if number.bit_length() < 64 else "a number too long to show"


#: A width or precision in a ``%`` format or in the spec of a ``{...:spec}`` field.
_FORMAT_NUMBERS = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d*))?|\{[^{}]*?:([^{}]*)\}")


def _check_format(text: str) -> None:
    """A format string whose widths and precisions stay within :data:`MAX_OUTPUT`."""
    for match in _FORMAT_NUMBERS.finditer(text):
        numbers = [*match.group(1, 2), *re.findall(r"\d+", match.group(3) or "")]
        if any(number and int(number) > MAX_OUTPUT for number in numbers):
            raise TemplateLimitError(f"a format with a width over {MAX_OUTPUT:,}, the limit"
                                     " for one output")


def _replaced_size(text: Any, old: Any = "", new: Any = "", count: Any = -1) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and 0 <= count < times:
        times = count
    return len(text) + times * max(len(new) - len(old), 0)


def _indented_size(text: Any, width: Any = 4, *_: Any, **__: Any) -> int:
    if not isinstance(text, str):
        return 0
    indent = width if isinstance(width, int) else len(str(width))
    return len(text) + (text.count("\n") + 1) * indent


def _expanded_size(text: Any, tabsize: Any = 8) -> int:
    if not isinstance(text, str) or not isinstance(tabsize, int):
        return 0
    return len(text) + text.count("\t") * tabsize


#: What the filters and string methods that multiply their input make, measured before
#: they run: (the string, the other arguments) -> the length of the result.
_GROWTH: dict[str, Callable[..., int]] = {
    "replace": _replaced_size,
    "indent": _indented_size,
    "expandtabs": _expanded_size,
}


def _check_growth(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    estimate = _GROWTH.get(name)
    if estimate is None:
        return
    try:
        size = estimate(*args, **kwargs)
    except TypeError:  # arguments the call itself refuses, with its own words
        return
    if size > MAX_OUTPUT:
        raise _too_large_value()


# ------------------------------------------------------------------------ the environment


def _bounded_range(*args: int) -> range:
    """``range`` for a template: no more numbers than the steps a rendering may make."""
    numbers = range(*args)
    if len(numbers) > MAX_STEPS:
        raise TemplateLimitError(f"range() of more than {MAX_STEPS:,} numbers, the limit of"
                                 " loop iterations for one output")
    return numbers


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, a filter, counted as a step, its arguments and its result measured."""
    # A filter that asks Jinja2 for its context, eval context or environment gets it first.
    given = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)  # keeps jinja_pass_arg, so Jinja2 passes the same arguments
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = _spending()
        budget.step()
        value, rest = args[given:given + 1], args[given + 1:]
        if value and size_of(value[0]) > MAX_OUTPUT:
            raise _too_large_value()
        _check_arguments([*rest, *kwargs.values()])
        if name == "format" and value and isinstance(value[0], str):
            _check_format(value[0])
        _check_growth(name, args[given:], kwargs)
        return budget.spent_on(func(*args, **kwargs))

    return bounded


class _CountingCodeGenerator(CodeGenerator):
    """Jinja2's code generator, writing the checks of :class:`BoundedEnvironment` into the
    code compiled for loops, ``~`` and the lists, tuples and dicts a template writes."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        # for x in environment.counted(<iterable>): every iteration is a step. The node is
        # the parser's, made anew for each compilation, and is not used after it.
        node.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None,
                               None, lineno=node.iter.lineno)
        super().visit_For(node, frame)

    def _spent(self, visit: Callable[[Any, Frame], None], node: nodes.Expr,
               frame: Frame) -> None:
        self.write("environment.spent_on(")
        visit(node, frame)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self._spent(super().visit_Concat, node, frame)

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._spent(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._spent(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # a target of {% for a, b in ... %} or {% set a, b = ... %}
            super().visit_Tuple(node, frame)
            return
        self._spent(super().visit_Tuple, node, frame)


class BoundedEnvironment(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with the limits of one rendering (see the module).

    Its templates run through :func:`render_bounded`. The optimizer is off: it would
    compute constant expressions (``{{ "x"|center(10**9) }}``) while compiling, before any
    limit applies.
    """

    code_generator_class = _CountingCodeGenerator
    intercepted_binops = frozenset(("*", "**", "%", "+", "//"))

    def __init__(self, **options: Any) -> None:
        super().__init__(**{**options, "optimized": False})
        self.globals["range"] = _bounded_range
        del self.globals["lipsum"]  # lorem ipsum of any length, and no use to a summary
        self.filters = {name: _bounded_filter(name, func)
                        for name, func in self.filters.items()}

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """The items of a loop, each a step."""
        budget = _spending()
        for item in iterable:
            budget.step()
            yield item

    def spent_on(self, value: Any) -> Any:
        """A value the template made, measured."""
        return _spending().spent_on(value)

    def concat(self, pieces: Iterable[str]) -> str:
        """The output of a macro, a block or ``{% set %}...{% endset %}`` gathered into one
        string: no longer than :data:`MAX_OUTPUT`."""
        gathered: list[str] = []
        length = 0
        for piece in pieces:
            length += len(piece)
            if length > MAX_OUTPUT:
                raise _too_large_value()
            gathered.append(piece)
        joined = "".join(gathered)
        _spending().spent_on(joined)
        return joined

    def call(__self, __context: Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        budget = _spending()
        budget.step()
        # What Jinja2 passes along for its own bookkeeping is no argument of the template's.
        _check_arguments([*args, *(value for name, value in kwargs.items()
                                   if name not in ("_loop_vars", "_block_vars"))])
        if isinstance(getattr(__obj, "__self__", None), str):  # a method of a string
            _check_growth(__obj.__name__, (__obj.__self__, *args), kwargs)
        return budget.spent_on(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any,
                   right: Any) -> Any:
        budget = _spending()
        budget.step()
        if operator == "*":
            _check_product(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return budget.spent_on(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:  # value is the format or format_map method of a string
            _check_format(value.__self__)
        return wrapped


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_product(left: Any, right: Any) -> None:
    """``left * right`` within the limits: a repeated string or list, or two numbers."""
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _too_large_number()
        return
    times, repeated = (left, right) if _is_int(left) else (right, left)
    if _is_int(times) and times > 0 and size_of(repeated) * times > MAX_OUTPUT:
        raise _too_large_value()


def _check_power(base: Any, exponent: Any) -> None:
    """``base ** exponent`` within :data:`MAX_INT_BITS` for whole numbers."""
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1 \
            and (abs(base).bit_length() - 1) * exponent > MAX_INT_BITS:
        raise _too_large_number()
