"""Reading YAML with line numbers, so every fault can say `file:line: message`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


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


def load(path: Path, shown: str):
    """(document, None) for a scenario file (a mapping with a `scenarios` key), (None, None) for
    any other YAML file, (None, Fault) for a file that is not valid YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Fault(shown, 1, f"cannot read the file: {exc}")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        # Only scenario files are built into Python data; the others (the catalog, the data
        # files) are only parsed, for their syntax errors: their owners load them.
        if not _is_scenario_file(node):
            return None, None
        return loader.construct_document(node), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, Fault(shown, line, f"YAML syntax error: {problem}")
    finally:
        loader.dispose()


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
