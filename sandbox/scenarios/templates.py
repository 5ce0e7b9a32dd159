"""Scenario templates: compiled once at load in a sandboxed Jinja2, rendered per answer.

The environment (bounded.py) is Jinja2's ImmutableSandboxedEnvironment: no loader (a template
cannot include or read a file), no attribute starting with `_` (no `__class__`, `__globals__`...),
no mutating method of a list or dict, StrictUndefined (a typo is an error, not an empty string),
and only the harmless globals `range` and `dict` (cycler, joiner, namespace and lipsum are gone);
and it is bounded: a render has a deadline, a budget of what it builds and a cap on what it sends
(limits.py), and nothing runs while a template compiles but its constant expressions, bounded.
"""
from __future__ import annotations

import inspect
import re
from typing import Callable

from jinja2 import TemplateError, TemplateSyntaxError, Undefined, meta

from .bounded import BoundedEnvironment, check_constants
from .limits import MAX_FAKE_SIZE, MAX_FAKE_TEXT, LimitExceeded, rendering, size

# What a template may name; anything else is reported when the scenario is checked.
CONTEXT_NAMES = frozenset({"request", "customer", "fake", "now"})

ENV = BoundedEnvironment()
GLOBAL_NAMES = frozenset(ENV.globals)

_ONE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>.*)\}\}\s*$", re.S)
TEMPLATE_MARKERS = ("{{", "{%", "{#")


class TemplateFailure(Exception):
    """A template that would not compile or render, with its line inside the template."""

    def __init__(self, message: str, template_line: int = 1, yaml_line: int | None = None):
        super().__init__(message)
        self.message = message
        self.template_line = template_line
        self.yaml_line = yaml_line


class Compiled:
    """One compiled template leaf. render(context) -> value; names: context names it uses."""

    __slots__ = ("render", "names", "line")

    def __init__(self, render: Callable[[dict], object], names: frozenset, line: int):
        self.render = render
        self.names = names
        self.line = line


def _names_in(tree) -> frozenset:
    return frozenset(meta.find_undeclared_variables(tree)) - GLOBAL_NAMES


def _check_names(names: frozenset) -> None:
    unknown = sorted(names - CONTEXT_NAMES)
    if unknown:
        raise TemplateFailure(f"unknown name {', '.join(map(repr, unknown))} (a template can use "
                              f"{', '.join(sorted(CONTEXT_NAMES))})")


def _template_line(exc: BaseException, filename: str) -> int:
    """The template line a runtime error happened on (Jinja rewrites its traceback so frames
    carry the template's own file name and line numbers)."""
    line = 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def compile_text(source: str, filename: str, line: int) -> Compiled:
    """A string leaf: exactly one `{{ expr }}` keeps the expression's type; any other text with
    template markers renders to a string. Raises TemplateFailure (syntax, unknown names, a
    constant expression over a limit, a template too deeply nested to compile)."""
    try:
        with rendering():
            tree = ENV.parse(source)
            names = _names_in(tree)
            _check_names(names)
            check_constants(ENV, tree)
        single = _ONE_EXPRESSION.match(source)
        if single and not any(m in single.group("expr") for m in TEMPLATE_MARKERS) \
                and "}}" not in single.group("expr"):
            expression = ENV.compile_expression(single.group("expr"), undefined_to_none=False)
            return Compiled(_expression_renderer(expression, line), names, line)
        code = ENV.compile(tree, name=filename, filename=filename)
        template = ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)
    except TemplateSyntaxError as exc:
        raise TemplateFailure(f"template syntax error: {exc.message}", exc.lineno or 1) from None
    except LimitExceeded as exc:
        raise TemplateFailure(f"a constant expression is over a limit: {exc}",
                              getattr(exc, "lineno", None) or 1) from None
    except TemplateFailure:
        raise
    except RecursionError:
        raise TemplateFailure("the template is nested too deeply to compile") from None
    except Exception as exc:  # Python's own limits on the compiled code (nested blocks...)
        raise TemplateFailure(f"the template could not be compiled ({type(exc).__name__}: "
                              f"{exc})") from None
    return Compiled(_template_renderer(template, filename, line), names, line)


def _expression_renderer(expression, line: int):
    def render_expression(context):
        try:
            with rendering() as budget:
                value = expression(**context)
                if isinstance(value, Undefined):  # StrictUndefined only fails when used
                    value._fail_with_undefined_error()
                budget.send(size(value, budget.output))
                return value
        except LimitExceeded as exc:
            raise TemplateFailure(f"over a limit: {exc}", 1, line) from None
        except TemplateError as exc:
            raise TemplateFailure(_describe(exc), 1, line) from None
        except Exception as exc:  # a TypeError, ZeroDivisionError... inside the expression
            raise TemplateFailure(f"{type(exc).__name__}: {exc}", 1, line) from None
    return render_expression


def _template_renderer(template, filename: str, line: int):
    def render_template(context):
        try:
            with rendering() as budget:
                # Loops and calls check the deadline; here only what is sent is counted.
                parts, room = [], budget.output
                for chunk in template.generate(context):
                    room -= len(chunk)
                    if room < 0:
                        budget.send(budget.output + 1)
                    parts.append(chunk)
                budget.send(budget.output - room)
                return "".join(parts)
        except LimitExceeded as exc:
            raise TemplateFailure(f"over a limit: {exc}", _template_line(exc, filename),
                                  line) from None
        except TemplateError as exc:
            raise TemplateFailure(_describe(exc), _template_line(exc, filename), line) from None
        except Exception as exc:
            raise TemplateFailure(f"{type(exc).__name__}: {exc}",
                                  _template_line(exc, filename), line) from None
    return render_template


def _describe(exc: TemplateError) -> str:
    kind = type(exc).__name__
    if kind == "SecurityError":
        return f"refused by the template sandbox: {exc.message}"
    if kind == "UndefinedError":
        return f"undefined value: {exc.message}"
    return f"{kind}: {exc.message}"


def has_template(value: str) -> bool:
    return any(marker in value for marker in TEMPLATE_MARKERS)


class FakeData:
    """The seeded Faker a template sees as `fake`: only its data generators, never its seeding
    or provider management (a template must not change what other requests get)."""

    _BLOCKED = frozenset({"seed", "seed_instance", "seed_locale", "add_provider", "set_formatter",
                          "set_arguments", "get_formatter", "get_providers", "provider",
                          "del_arguments", "get_arguments", "format", "parse",
                          # an endless generator (its `precision` sets how many it yields)
                          "time_series"})

    def __init__(self, faker):
        self._faker = faker
        allowed = set()
        for provider in faker.providers:
            for name in dir(provider):
                # Generator methods only: not `generator` (the unguarded Faker behind them) nor
                # the providers' word lists.
                if not name.startswith("_") and name not in self._BLOCKED \
                        and callable(getattr(provider, name, None)):
                    allowed.add(name)
        self._allowed = frozenset(allowed)
        self._bounded: dict = {}

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._allowed:
            raise AttributeError(f"fake has no generator {name!r}")
        bounded = self._bounded.get(name)
        if bounded is None:
            bounded = self._bounded[name] = _bounded_generator(name, getattr(self._faker, name))
        return bounded


# A generator's sizes: counts multiply (num_rows x data_columns), lengths add (left_digits +
# right_digits); a minimum is never more than its maximum, so it is not counted.
FAKE_COUNTS = frozenset({"nb", "nb_elements", "nb_sentences", "nb_texts", "nb_words", "num_rows",
                         "num_files", "count", "data_columns", "levels", "depth", "deep",
                         "indent", "size"})
FAKE_LENGTHS = frozenset({"length", "max_chars", "max_nb_chars", "digits", "left_digits",
                          "right_digits", "uncompressed_size"})
# Arguments that name other generators, which Faker then runs by name, with any arguments and
# unbounded (and can name its seeding: value_types=['seed_instance']). Their defaults are kept.
FAKE_NAMING = frozenset({"data_columns", "value_types", "allowed_types", "string_format"})


def _amount(value) -> int:
    try:
        if isinstance(value, bool) or value is None:
            return 1
        if isinstance(value, int | float):
            return max(1, int(abs(value)))
        if isinstance(value, tuple | list) and all(isinstance(v, int | float) for v in value):
            product = 1
            for v in value:
                product *= max(1, int(abs(v)))
            return product
        if isinstance(value, tuple | list | dict | set):
            return max(1, len(value))
    except (OverflowError, ValueError):  # inf, nan
        return MAX_FAKE_SIZE + 1
    return 1


def _bounded_generator(name: str, method):
    """`fake.NAME`: refused, before Faker runs, when its sizes (given or default) multiply past
    MAX_FAKE_SIZE or a text it is given is longer than MAX_FAKE_TEXT; no deadline can stop a
    Faker call once it runs."""
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        signature = None

    def generator(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            if isinstance(value, str) and len(value) > MAX_FAKE_TEXT:
                raise LimitExceeded(f"fake.{name}() was given a text of {len(value)} characters; "
                                    f"fake generators take at most {MAX_FAKE_TEXT}")
        if signature is not None:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return method(*args, **kwargs)  # Faker says what is wrong with the arguments
            named = sorted(FAKE_NAMING & set(bound.arguments))
            if named:
                raise LimitExceeded(f"fake.{name}() takes no {', '.join(named)} in a template: "
                                    f"it names other generators, which would run unbounded")
            bound.apply_defaults()
            counts, lengths = 1, 0
            for parameter, value in bound.arguments.items():
                if parameter in FAKE_COUNTS:
                    counts *= _amount(value)
                elif parameter in FAKE_LENGTHS:
                    lengths += _amount(value)
            if counts * max(lengths, 1) > MAX_FAKE_SIZE:
                sizes = ", ".join(f"{p}={v!r}" for p, v in bound.arguments.items()
                                  if p in FAKE_COUNTS | FAKE_LENGTHS)
                raise LimitExceeded(f"fake.{name}({sizes}) would make about "
                                    f"{counts * max(lengths, 1)} items or characters; fake "
                                    f"generators make at most {MAX_FAKE_SIZE}")
        return method(*args, **kwargs)

    generator.__name__ = name
    return generator


class CaseInsensitiveDict(dict):
    """Request headers for templates and matchers: `X-Channel` and `x-channel` are one name."""

    def __init__(self, pairs=()):
        super().__init__((str(k).lower(), v) for k, v in pairs)

    def __getitem__(self, key):
        return super().__getitem__(str(key).lower())

    def __contains__(self, key):
        return super().__contains__(str(key).lower())

    def get(self, key, default=None):
        return super().get(str(key).lower(), default)


def count_templates(value) -> tuple[int, int]:
    """(how many template strings a YAML tree holds, their total length)."""
    count, text, stack = 0, 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_template(item):
                count += 1
                text += len(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count, text
