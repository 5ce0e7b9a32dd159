"""Every shell example in the README and docs/ runs as written against a fresh sandbox and prints
what its page says it prints (tests/docs_examples.py says how)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.docs_examples import blocks, commands, problems, run_page, shape_matches

ROOT = Path(__file__).resolve().parent.parent
PAGES = [page for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
         if blocks(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pages_examples_run_and_print_what_it_says(page, tmp_path):
    ran = run_page(page.read_text(encoding="utf-8"), free_port(), ROOT)
    assert problems(str(page.relative_to(ROOT)), ran) == []


def test_a_comment_with_a_status_is_the_expectation_of_the_command_above():
    found = commands("curl -s localhost:8080/x \\\n  -H 'A: b'\n# 404 {\"message\": \"no\",\n"
                     "#    ...}\necho '\nstill quoted'\n# prose, not a status\n", 1)
    assert [c.text for c in found] == ["curl -s localhost:8080/x \\\n  -H 'A: b'",
                                       "echo '\nstill quoted'"]
    assert (found[0].status, found[0].body) == ("404", '{"message": "no", ...}')
    assert found[1].status is None


def test_a_block_marked_not_run_is_left_out():
    text = "<!-- not run: it serves -->\n```sh\nmake run\n```\n\n```sh\necho hi\n```\n"
    assert [c.text for b in blocks(text) for c in b.commands] == ["echo hi"]


def test_dots_stand_for_anything_and_the_rest_must_be_there():
    assert shape_matches('{"a": 1, ...}', '{"a":1,"b":[2, 3]}')
    assert not shape_matches('{"a": 1, ...}', '{"a":2,"b":1}')
    assert not shape_matches('{"a": 1}', '{"a":1,"b":1}')


def test_a_wrong_status_and_a_failing_command_are_reported(tmp_path):
    page = "```sh\nfalse\ncurl -s localhost:8080/__sandbox/health\n# 404\n```\n"
    found = problems("page.md", run_page(page, free_port(), ROOT))
    assert len(found) == 2
    assert "exit 1" in found[0] and "says 404, it answered 200" in found[1]
