"""Reading YAML with line numbers, so every fault can say `file:line: message`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .limits import MAX_FILE_BYTES, MAX_YAML_EXPANDED


@dataclass(frozen=True)
class Fault:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class LineDict(dict):
    """A YAML mapping that remembers where it and each of its keys start (1-based lines)."""
    line = 0
    key_lines: dict = {}

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


# libyaml parses ~15x faster than the pure-Python loader; node marks (lines) are kept.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            mapping[key] = loader.construct_object(value_node, deep=True)
        except TypeError:  # an unhashable key (a list as a key): let the schema check report it
            key = str(key)
            mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# The verdict on files that are not scenario files (None) or not YAML (their fault), by path and
# version: the catalog and data files are parsed once per process, not on every reload. An edit
# changes the version (the reload watcher compares the same mtime and size).
_OTHER_FILES: dict = {}
_OTHER_FILES_KEPT = 1000


def load(path: Path, shown: str):
    """(document, None) for a scenario file (a mapping with a `scenarios` key), (None, None) for
    any other YAML file, (None, Fault) for a file that is not valid YAML."""
    try:
        stat = path.stat()
        version = (str(path), shown, stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if version in _OTHER_FILES:
            return None, _OTHER_FILES[version]
        length = stat.st_size
        if length > MAX_FILE_BYTES:
            return None, Fault(shown, 1, f"the file is {length} bytes; a file in a scenario "
                                         f"folder may have at most {MAX_FILE_BYTES}")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Fault(shown, 1, f"cannot read the file: {exc}")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        # Only scenario files are built into Python data; the others (the catalog, the data
        # files) are only parsed, for their syntax errors: their owners load them.
        if not _is_scenario_file(node):
            return None, _remember(version, None)
        # Aliases are shared, not copied, when the document is built, but whatever walks or
        # sends the data spells them out: nine levels of nine aliases are billions of values.
        weight = weigh(node, MAX_YAML_EXPANDED)
        if weight > MAX_YAML_EXPANDED:
            return None, Fault(shown, 1, f"with its aliases spelled out the file is over "
                                         f"{MAX_YAML_EXPANDED} characters, the most a scenario "
                                         f"file may be (each value counts 8 more than its text)")
        return loader.construct_document(node), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, _remember(version, Fault(shown, line, f"YAML syntax error: {problem}"))
    finally:
        loader.dispose()


def _remember(version, fault):
    if len(_OTHER_FILES) >= _OTHER_FILES_KEPT:
        _OTHER_FILES.clear()
    _OTHER_FILES[version] = fault
    return fault


def weigh(root, limit: int) -> int:
    """The characters of a YAML node graph's scalars, plus 8 a node, with every alias spelled
    out; each node is weighed once (shared subtrees are remembered), so this costs the number of
    distinct nodes, not their expansion. Counting stops a little over `limit`."""
    weights: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in weights and not children_done:
            continue
        if isinstance(node, yaml.ScalarNode):
            weights[key] = 8 + len(node.value)
            continue
        children = [part for pair in node.value for part in pair] \
            if isinstance(node, yaml.MappingNode) else list(node.value)
        if children_done:
            weights[key] = min(limit + 1, 8 + sum(weights.get(id(c), 0) for c in children))
            continue
        weights[key] = 0  # a recursive alias (the constructor refuses it) weighs nothing here
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in weights)
    return weights[id(root)]


def _is_scenario_file(node) -> bool:
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(key, yaml.ScalarNode) and key.value == "scenarios" for key, _ in node.value)


def plain(value):
    """The same data as plain dicts and lists (what templates and JSON see)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
