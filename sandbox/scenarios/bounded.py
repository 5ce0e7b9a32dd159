"""A Jinja2 sandbox whose templates cannot run away (the bounds are in limits.py).

Jinja folds constant expressions while it compiles, so `{{ 'a' * 10**9 }}` or
`{{ 10**(10**8) }}` ran, unbounded, when a file was only loaded. Here nothing that can grow is
folded: every arithmetic operator is intercepted (the sandbox never folds those), every filter is
a context filter (never folded either), and `~`, list, tuple and dict displays and `for` loops are
compiled into calls of the environment's own bounded functions. Loops, calls, operators and
filters check the answer's deadline, and everything that builds a value its Budget: what it
may still build (an operation that would build too much is refused before it runs, from an
estimate; what it built is then charged, spelled out; a slice or a .copy() is charged what the
copy itself takes). So every value a template holds is at most the budget, spelled out, and
comparing, hashing or printing one is bounded too; and what it keeps is bounded as well.
check_constants() runs a template's constant expressions at load with the same bounds, so an
impossible one is a fault there.
"""
from __future__ import annotations

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from .estimates import NO_CHARGE, check_binop, check_call, check_filter, check_int
from .limits import MAX_RANGE, LimitExceeded, current, shallow, size

BINOPS = frozenset({"+", "-", "*", "/", "//", "%", "**"})
_SEQUENCE = (str, bytes, list, tuple)


# -- what the compiled code calls --------------------------------------------------------------
def bounded_iter(iterable):
    """A `for` loop's items, with the deadline checked before each."""
    budget = current()
    for item in iterable:
        budget.tick()
        yield item


def bounded_concat(*parts):
    """`a ~ b ~ c`."""
    budget = current()
    budget.allow(sum(len(part) if type(part) is str else size(part, budget.left)
                     for part in parts), "`~`")
    text = "".join(map(str, parts))
    budget.spend(text, "`~`")
    return text


def bounded_join(parts):
    """The environment's concat: a macro's, a `{% set %}` block's or a filter block's text."""
    budget = current()
    parts = list(parts)
    budget.allow(sum(map(len, parts)), "a block")
    text = "".join(parts)
    budget.spend(text, "a block")
    return text


def bounded_list(*items):
    value = list(items)
    current().spend(value, "a list")
    return value


def bounded_tuple(*items):
    current().spend(items, "a tuple")
    return items


def bounded_dict(*keys_and_values):
    value = dict(zip(keys_and_values[::2], keys_and_values[1::2]))
    current().spend(value, "a dict")
    return value


def bounded_slice(value, start, stop, step):
    """`value[start:stop:step]`, a copy."""
    part = value[start:stop:step]
    if part is not value:
        current().charge(shallow(part), "a slice")
    return part


def bounded_range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(f"range() of {len(numbers)} numbers; a template's ranges have at "
                            f"most {MAX_RANGE}")
    return numbers


_PRINTED_AS_IS = (str, int, float, bool, type(None))


def finalize(value):
    """Every `{{ ... }}` printed: a container is about to be spelled out by str(). (Text is
    counted where it goes: the response, or the block that joins it.)"""
    if not isinstance(value, _PRINTED_AS_IS):
        current().spend(value, "printing a value")
    return value


# Called directly by the compiled code (BoundedCodeGenerator.visit_Call), as environment.NAME.
INTERNAL = (bounded_iter, bounded_concat, bounded_list, bounded_tuple, bounded_dict,
            bounded_slice)


def _charges(obj) -> bool:
    """Whether a call builds something new to charge: not a container's lookups (get, keys,
    items...), nor a macro or a recursive loop (their text was charged as it was joined)."""
    return not (isinstance(getattr(obj, "__self__", None), dict | list | tuple)
                or isinstance(obj, Macro | LoopContext))


def bound_filter(name: str, func):
    passes = getattr(func, "jinja_pass_arg", None)
    passes = passes.name if passes is not None else None
    charged = name not in NO_CHARGE

    @pass_context
    def bounded(context, value, *args, **kwargs):
        budget = current()
        budget.tick()
        if name == "join" and not isinstance(value, _SEQUENCE):
            value = list(value)  # a generator: read once, to know what it joins
        check_filter(budget, name, value, args, kwargs)
        if passes == "context":
            result = func(context, value, *args, **kwargs)
        elif passes == "eval_context":
            result = func(context.eval_ctx, value, *args, **kwargs)
        elif passes == "environment":
            result = func(context.environment, value, *args, **kwargs)
        else:
            result = func(value, *args, **kwargs)
        if charged and result is not value:
            budget.spend(result, f"the {name} filter")
        return result

    bounded.unbounded = func
    return bounded


# -- compiling ----------------------------------------------------------------------------------
def _literal(node) -> bool:
    if isinstance(node, nodes.Const):
        return True
    if isinstance(node, nodes.List | nodes.Tuple):
        return all(_literal(item) for item in node.items)
    if isinstance(node, nodes.Dict):
        return all(_literal(pair.key) and _literal(pair.value) for pair in node.items)
    return False


def _internal(name: str, args, like) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(name, lineno=like.lineno), list(args), [],
                      None, None, lineno=like.lineno)


class _Bounds(NodeTransformer):
    """Rewrites what Jinja would compile to plain Python (`~`, displays, slices, loops) into
    calls of the environment's bounded functions."""

    def visit_For(self, node):
        node = self.generic_visit(node)
        node.iter = _internal("bounded_iter", [node.iter], node)
        return node

    def visit_Getitem(self, node):
        node = self.generic_visit(node)
        if not isinstance(node.arg, nodes.Slice) or node.ctx != "load":
            return node
        bounds = [part if part is not None else nodes.Const(None, lineno=node.lineno)
                  for part in (node.arg.start, node.arg.stop, node.arg.step)]
        return _internal("bounded_slice", [node.node, *bounds], node)

    def visit_Concat(self, node):
        return _internal("bounded_concat", self.generic_visit(node).nodes, node)

    def visit_List(self, node):
        node = self.generic_visit(node)
        return node if _literal(node) else _internal("bounded_list", node.items, node)

    def visit_Tuple(self, node):
        node = self.generic_visit(node)
        if node.ctx != "load" or _literal(node):
            return node
        return _internal("bounded_tuple", node.items, node)

    def visit_Dict(self, node):
        node = self.generic_visit(node)
        if _literal(node):
            return node
        return _internal("bounded_dict", [part for pair in node.items
                                          for part in (pair.key, pair.value)], node)


_INTERNAL_NAMES = frozenset(function.__name__ for function in INTERNAL)


class BoundedCodeGenerator(CodeGenerator):
    def visit_Template(self, node, frame=None):
        _Bounds().visit(node)
        super().visit_Template(node, frame)

    def visit_Call(self, node, frame, forward_caller=False):
        """The bounded functions are called directly, not through the sandbox's call()."""
        if isinstance(node.node, nodes.EnvironmentAttribute) \
                and node.node.name in _INTERNAL_NAMES:
            self.write(f"environment.{node.node.name}(")
            for arg in node.args:
                self.visit(arg, frame)
                self.write(", ")
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = BINOPS
    code_generator_class = BoundedCodeGenerator

    def __init__(self):
        super().__init__(undefined=StrictUndefined, autoescape=False, loader=None,
                         finalize=finalize)
        self.filters = {name: bound_filter(name, func) for name, func in FILTERS.items()}
        self.globals = {"range": bounded_range, "dict": dict}
        self.concat = bounded_join
        for function in INTERNAL:
            setattr(self, function.__name__, function)

    def call_binop(self, context, operator, left, right):
        budget = current()
        budget.tick()
        check_binop(budget, operator, left, right)
        result = self.binop_table[operator](left, right)
        if type(result) is int:
            return check_int(result, f"`{operator}`")
        if isinstance(result, _SEQUENCE):
            budget.spend(result, f"`{operator}`")
        return result

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        budget = current()
        budget.tick()
        # What Jinja passes along inside loops and blocks, for context functions.
        hidden = {key: kwargs.pop(key) for key in ("_loop_vars", "_block_vars") if key in kwargs} \
            if kwargs else {}
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (bounded_iter(args[0]), *args[1:])
        args = check_call(budget, __obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs, **hidden)
        name = getattr(__obj, "__name__", "a call")
        if _charges(__obj):
            budget.spend(result, f"`{name}()`")
        elif name == "copy":
            budget.charge(shallow(result), "`copy()`")
        return result


# -- constant expressions, at load --------------------------------------------------------------
class _NotConstant(Exception):
    pass


_OPERATORS = {nodes.Add: "+", nodes.Sub: "-", nodes.Mul: "*", nodes.Div: "/",
              nodes.FloorDiv: "//", nodes.Mod: "%", nodes.Pow: "**"}
_FOLDED = (nodes.BinExpr, nodes.Concat, nodes.Filter, nodes.List, nodes.Tuple, nodes.Dict)


def check_constants(env: BoundedEnvironment, template: nodes.Template) -> None:
    """Run every constant expression (no names in it) with the current Budget's bounds: a
    LimitExceeded is the template's fault, with the expression's line in `lineno`. Any other
    error is left to the render, as Jinja would (the expression may never run)."""
    seen: dict[int, object] = {}

    def value(node):
        key = id(node)
        if key not in seen:
            try:
                seen[key] = evaluate(node)
            except LimitExceeded as exc:
                if getattr(exc, "lineno", None) is None:  # the innermost expression's line
                    exc.lineno = node.lineno
                raise
            except Exception:
                seen[key] = _NotConstant
        if seen[key] is _NotConstant:
            raise _NotConstant
        return seen[key]

    def evaluate(node):
        budget = current()
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.List | nodes.Tuple):
            items = [value(item) for item in node.items]
            return bounded_list(*items) if isinstance(node, nodes.List) else bounded_tuple(*items)
        if isinstance(node, nodes.Dict):
            return bounded_dict(*[value(part) for pair in node.items
                                  for part in (pair.key, pair.value)])
        if isinstance(node, nodes.Neg | nodes.Pos):
            return -value(node.node) if isinstance(node, nodes.Neg) else +value(node.node)
        if type(node) in _OPERATORS:
            operator, left, right = _OPERATORS[type(node)], value(node.left), value(node.right)
            return env.call_binop(None, operator, left, right)
        if isinstance(node, nodes.Concat):
            return bounded_concat(*[value(part) for part in node.nodes])
        if isinstance(node, nodes.Filter) and node.node is not None and node.name in env.filters \
                and not (node.dyn_args or node.dyn_kwargs):
            func = env.filters[node.name].unbounded
            passes = getattr(func, "jinja_pass_arg", None)
            if passes is not None and passes.name != "environment":
                raise _NotConstant  # it needs a render's context
            target, args = value(node.node), [value(arg) for arg in node.args]
            kwargs = {kw.key: value(kw.value) for kw in node.kwargs}
            check_filter(budget, node.name, target, args, kwargs)
            result = func(*([env] if passes else []), target, *args, **kwargs)
            budget.spend(result, f"the {node.name} filter")
            return result
        raise _NotConstant

    for node in template.find_all(_FOLDED):
        try:
            value(node)
        except _NotConstant:
            pass
