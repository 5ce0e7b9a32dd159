"""Upper bounds of what an operation would build, from its operands, before it runs: the
operations of a template that can build far more than they are given (`'a' * n`, `center(n)`,
`'{:>n}'.format(x)`, replace, join, tojson's indent...). Each refuses, with LimitExceeded, what
the Budget cannot hold; what an operation did build is charged after it (bounded.py)."""
from __future__ import annotations

import math
import re
import string

from .limits import MAX_INT_BITS, MAX_SLOW_FILTER_CHARS, LimitExceeded, size

_TEXT = (str, bytes)
_SEQUENCE = (str, bytes, list, tuple)


def _bits(number: int) -> int:
    return abs(number).bit_length()


def _refuse_bits(bits: int, what: str) -> None:
    """Refuse, before computing it, an integer of at least `bits` bits over the limit."""
    if bits > MAX_INT_BITS:
        raise LimitExceeded(f"{what} would give an integer of {bits} bits or more; a template's "
                            f"integers have at most {MAX_INT_BITS}")


def check_int(number, what: str):
    if type(number) is int and number.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"{what} gives an integer of {number.bit_length()} bits; a template's "
                            f"integers have at most {MAX_INT_BITS}")
    return number


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)")


def _printf_estimate(budget, fmt, values) -> int:
    """An upper bound of `fmt % values` (and the format filter)."""
    specs = _PRINTF.findall(fmt if isinstance(fmt, str) else fmt.decode("latin-1"))
    widths = 0
    for width, precision, _ in specs:
        for number in (width, precision):
            if number == "*":
                seq = values if isinstance(values, tuple) else (values,)
                widths += sum(abs(v) for v in seq if type(v) is int)
            elif number:
                widths += int(number) if len(number) < 12 else budget.left + 1
    shown = size(values, budget.left)
    # A mapping's values can be named by several specs; a tuple's are used once each (repr
    # escapes can make a text 4 times longer).
    shown = shown * len(specs) if isinstance(values, dict) else 4 * shown
    return len(fmt) + widths + shown


def check_binop(budget, operator: str, left, right) -> None:
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, _SEQUENCE) and type(times) in (int, bool):
                budget.allow(size(seq, budget.left) * max(times, 0), "`*`")
        if type(left) is int and type(right) is int:
            _refuse_bits(_bits(left) + _bits(right) - 1, "`*`")
    elif operator == "**":
        if type(left) is int and type(right) is int and right > 0 and abs(left) > 1:
            _refuse_bits(int(right * math.log2(abs(left))), "`**`")
    elif operator == "%" and isinstance(left, _TEXT):
        budget.allow(_printf_estimate(budget, left, right), "`%`")


def _format_estimate(budget, fmt: str, args, kwargs) -> int:
    """An upper bound of `fmt.format(*args, **kwargs)`: each field may show the largest value,
    padded to the widths its spec names (or, for a nested `{}` width, any integer given)."""
    largest = max([size(v, budget.left) for v in (*args, *kwargs.values())] or [0])
    numbers = [abs(v) for v in (*args, *kwargs.values()) if type(v) is int]
    total = len(fmt)
    for _, field, spec, _ in string.Formatter().parse(fmt):
        if field is None:
            continue
        total += largest
        if spec and "{" in spec:
            total += max(numbers or [0])
        total += sum(int(n) if len(n) < 12 else budget.left + 1
                     for n in re.findall(r"\d+", spec or ""))
    return total


def _replace_estimate(text, old, new, count=-1) -> int:
    found = len(text) + 1 if not old else text.count(old)
    if type(count) is int and count >= 0:
        found = min(found, count)
    return len(text) + found * max(0, len(new) - len(old))


def _check_text_method(budget, text, name: str, args, kwargs) -> tuple:
    """Bound the methods of a str or bytes that can build more than they were given; returns the
    arguments to call with (an iterable to join is read once, here)."""
    what = f"`.{name}()`"
    if name in ("center", "ljust", "rjust", "zfill") and args and type(args[0]) is int:
        budget.allow(args[0], what)
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if type(tab) is int:
            budget.allow(len(text) + text.count("\t" if isinstance(text, str) else b"\t") * tab,
                         what)
    elif name == "replace" and len(args) >= 2 and all(isinstance(a, _TEXT) for a in args[:2]):
        budget.allow(_replace_estimate(text, *args[:3]), what)
    elif name == "join" and args:
        items = list(args[0])
        budget.allow(size(items, budget.left) + len(text) * len(items), what)
        args = (items, *args[1:])
    elif name in ("format", "format_map") and isinstance(text, str):
        mapping = args[0] if name == "format_map" and args else kwargs
        budget.allow(_format_estimate(budget, text, args if name == "format" else (), mapping),
                     what)
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max([len(v) for v in args[0].values() if isinstance(v, _TEXT)] or [1])
        budget.allow(len(text) * longest, what)
    return args


_STRFTIME_WIDTH = re.compile(r"%[-_0^#]*(\d+)")


def check_call(budget, obj, args, kwargs) -> tuple:
    # The sandbox hands out str.format wrapped (to format safely); the method is __wrapped__.
    obj = getattr(obj, "__wrapped__", obj)
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, _TEXT):
        return _check_text_method(budget, owner, name, args, kwargs)
    if name == "strftime" and args and isinstance(args[0], str):
        widths = sum(int(n) if len(n) < 12 else budget.left + 1
                     for n in _STRFTIME_WIDTH.findall(args[0]))
        budget.allow(32 * len(args[0]) + widths, "`.strftime()`")
    return args


# -- filters ------------------------------------------------------------------------------------
def _depth(value, limit: int) -> int:
    deepest, stack, steps = 0, [(value, 1)], 0
    while stack and steps <= limit:
        item, depth = stack.pop()
        steps += 1
        if isinstance(item, dict | list | tuple):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in
                         (item.values() if isinstance(item, dict) else item))
    return deepest


def _lines(text) -> int:
    return str(text).count("\n") + 1


def _estimate_tojson(budget, value, indent=None):
    if indent is None:
        return None
    step = len(indent) if isinstance(indent, str) else indent if type(indent) is int else 0
    return size(value, budget.left) * (1 + 2 * step * _depth(value, budget.left))


# Filters that can build more than they are given: an upper bound of what they would build, from
# their arguments as the filter names them (None: nothing to fear).
FILTER_ESTIMATES = {
    "center": lambda budget, value, width=80: width if type(width) is int else None,
    "indent": lambda budget, s, width=4, first=False, blank=False: len(str(s)) + _lines(s) * (
        len(width) if isinstance(width, str) else width if type(width) is int else 0),
    "replace": lambda budget, s, old, new, count=None: _replace_estimate(
        str(s), str(old), str(new), -1 if count is None else count),
    "format": lambda budget, value, *args, **kwargs: _printf_estimate(
        budget, str(value), kwargs or args),
    "join": lambda budget, value, d="", attribute=None: size(value, budget.left) + len(str(d)) * (
        len(value) if isinstance(value, _SEQUENCE) else 1),
    "wordwrap": lambda budget, s, width=79, break_long_words=True, wrapstring=None,
    break_on_hyphens=True: len(str(s)) * (1 + len(wrapstring or "\n")),
    "batch": lambda budget, value, linecount, fill_with=None: 2 * linecount
    if type(linecount) is int and fill_with is not None else None,
    "slice": lambda budget, value, slices, fill_with=None: 2 * slices
    if type(slices) is int else None,
    "tojson": _estimate_tojson,
    "pprint": lambda budget, value: size(value, budget.left) * (1 + _depth(value, budget.left)),
}
# Filters whose result is a part of what they were given, or a number: nothing new to charge.
NO_CHARGE = frozenset({"length", "count", "first", "last", "default", "d", "attr", "random",
                       "max", "min", "int", "float", "abs", "round", "wordcount"})


def check_filter(budget, name, value, args, kwargs):
    if name == "wordwrap" and len(str(value)) > MAX_SLOW_FILTER_CHARS:
        raise LimitExceeded(f"wordwrap takes at most {MAX_SLOW_FILTER_CHARS} characters (its "
                            f"cost grows with the square of the text's); got {len(str(value))}")
    if name == "sum":
        start = kwargs.get("start", args[1] if len(args) > 1 else 0)
        if not isinstance(start, int | float):
            raise LimitExceeded("sum adds numbers (adding lists costs the square of their "
                                "length); build lists with a loop or the batch filter")
    estimate = FILTER_ESTIMATES.get(name)
    if estimate is not None:
        try:
            bound = estimate(budget, value, *args, **kwargs)
        except (TypeError, ValueError, AttributeError):
            bound = None  # arguments the filter itself will refuse
        if bound is not None:
            budget.allow(bound, f"the {name} filter")
