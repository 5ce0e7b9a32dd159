"""The README and the pages under docs/: every relative link resolves (file and heading), every
file a shell example posts with `-d @file` is in the repository, and the repository cites no
document it does not hold."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
SHELL_BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.M | re.S)


def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to dashes, -1, -2... for
    repeats. Lines in fenced code are not headings."""
    seen: dict[str, int] = {}
    ids = set()
    for line in FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"#{1,6} (.+)", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        ids.add(slug if count == 0 else f"{slug}-{count}")
    return ids


def links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    broken = []
    for target in links(page):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or ROOT not in file.parents:
            broken.append(f"{target}: no such file in the repository")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading #{anchor} in {file.relative_to(ROOT)}")
    assert broken == []


def test_every_page_under_docs_is_linked_from_the_readme():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in links(ROOT / "README.md")}
    pages = {p.resolve() for p in (ROOT / "docs").iterdir() if p.suffix in (".md", ".json")}
    assert sorted(p.name for p in pages - linked) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_that_shell_examples_send_exist(page):
    missing = []
    for block in SHELL_BLOCK.findall(page.read_text(encoding="utf-8")):
        for name in re.findall(r"(?:-d|--data(?:-binary)?) @(\S+)", block):
            if not (ROOT / name).is_file():
                missing.append(name)
        for name in re.findall(r"(?:<|base64) (tests/\S+)", block):
            if not (ROOT / name).is_file():
                missing.append(name)
    assert missing == []


def test_the_repository_cites_no_document_it_does_not_hold():
    cited = "CONTRACT" + ".md"  # spelled apart, so this file does not cite it either
    skip = {".git", ".venv", "build", "dist", ".bench", ".sandbox", "__pycache__"}
    hits = []
    for path in ROOT.rglob("*"):
        if any(part in skip or part.endswith(".egg-info") for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix in (".md", ".py", ".yaml", ".yml", ".json", ".toml",
                                              ".txt", ".cfg", ".html", ".js", ".css", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            hits += [f"{path.relative_to(ROOT)}:{n}" for n, line in
                     enumerate(text.splitlines(), 1) if cited in line]
    assert hits == []
