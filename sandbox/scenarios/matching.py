"""Match regexes run on RE2 (google-re2), whose matching time grows linearly with the text:
a pattern such as `(a+)+$`, which Python's `re` takes exponential time on against 'a'*40+'b',
cannot freeze a thread of the server whatever a request sends. RE2 has no lookaround and no
backreferences; a pattern using them is refused at load (check and serve alike), saying so."""
from __future__ import annotations

import re

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the refusal is ours to word; RE2 would also print it on stderr


def compile_regex(pattern: str):
    """(compiled, None), or (None, why it is refused)."""
    try:
        re.compile(pattern)  # Python's messages name the position of a plain syntax error
    except re.error as exc:
        return None, str(exc)
    try:
        return re2.compile(pattern, options=_OPTIONS), None
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        return None, (f"{reason}: match regexes run on RE2, which matches in linear time and has "
                      f"no lookaround or backreferences (https://github.com/google/re2/wiki/Syntax)")
