"""Runs the shell examples of a page (README.md, docs/*.md) as a reader would, and checks that
each prints what the page says it prints.

A page's ```sh and ```bash blocks run in order in one bash, in a folder that links to the
repository's files, after `make run` has started a fresh sandbox there (state in the folder's
own .sandbox/state.db): examples that build on an earlier one (`B=...`, a `bcs` function, a
customer created above) work as they do for a reader. A free port stands in for each port the
page names (8080, 8081...), in addresses and `--port`; an example that starts the sandbox
(`make run`, `sandbox serve`) starts in the background, in place of the one on its port.

What is checked, per command (a line, with its `\\` continuations and open quotes):
- it exits 0, and nothing it prints holds a traceback;
- a comment right after it that starts with a status (`# 200 {...}`, `# 404 ...`) is what the
  command's last HTTP answer was: that status, and where the comment shows a JSON body, a body
  of that shape: the comment's text with `...` standing for anything, spaces aside.

A block that cannot run here (it builds an image, it runs the whole suite) is marked
`<!-- not run: why -->` on the line before it.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(?:sh|bash)[^\n]*\n(?P<body>.*?)^```", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:")
EXPECTED = re.compile(r"#\s+(?:HTTP/[\d.]+\s+)?(?P<status>[1-5]\d\d)\b(?P<rest>.*)")
CONTINUED = re.compile(r"#\s{2,}(?P<rest>\S.*)")


@dataclass
class Command:
    text: str
    line: int  # in the page, 1-based
    status: str | None = None  # the comment's
    body: str | None = None  # the comment's JSON, `...` for anything
    output: str = ""
    exit_code: int | None = None
    answered: str | None = None  # the status of its last HTTP answer


@dataclass
class Block:
    commands: list[Command] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    found = []
    for match in FENCE.finditer(text):
        line_before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if NOT_RUN.search(line_before):
            continue
        first = text.count("\n", 0, match.start("body")) + 1
        found.append(Block(commands(match["body"], first)))
    return found


def commands(body: str, first_line: int) -> list[Command]:
    """The commands of a block, each with the status comment that follows it, if any."""
    found: list[Command] = []
    pending: list[str] = []
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        number = first_line + index
        index += 1
        if not pending:
            expected = EXPECTED.match(line.strip())
            if expected and found:
                extra = []
                while index < len(lines) and CONTINUED.match(lines[index].strip()):
                    extra.append(CONTINUED.match(lines[index].strip())["rest"])
                    index += 1
                found[-1].status = expected["status"]
                found[-1].body = json_part(" ".join([expected["rest"], *extra]))
                continue
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = number
        pending.append(line)
        text = "\n".join(pending)
        if complete(text):
            found.append(Command(text, start))
            pending = []
    if pending:
        found.append(Command("\n".join(pending), start))
    return found


def complete(text: str) -> bool:
    """Whether bash reads `text` as whole commands (no open quote, no trailing backslash)."""
    if text.endswith("\\"):
        return False
    checked = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
    return not any(sign in checked.stderr for sign in (
        "unexpected end of file", "unexpected EOF", "delimited by end-of-file"))


def json_part(text: str) -> str | None:
    """The JSON a comment shows (`{...}` or `[...]`, brackets balanced outside strings), or None
    when the comment is prose."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    depth, quoted = 0, False
    for position in range(start, len(text)):
        char = text[position]
        if char == '"' and text[position - 1] != "\\":
            quoted = not quoted
        elif not quoted and char in "{[":
            depth += 1
        elif not quoted and char in "}]":
            depth -= 1
            if depth == 0:
                return text[start:position + 1]
    return text[start:]


def shape_matches(pattern: str, output: str) -> bool:
    """`output` is what `pattern` shows: its literal text in order, `...` standing for anything,
    whitespace ignored on both sides."""
    squeeze = re.compile(r"\s+")
    fragments = [re.escape(part) for part in squeeze.sub("", pattern).split("...")]
    return re.fullmatch(".*".join(fragments), squeeze.sub("", output), re.S) is not None


SERVES = re.compile(r"^(?:\w+=\S+\s+)*(?:make run|(?:\.venv/bin/)?sandbox serve)\b")
DOC_PORT = re.compile(r"(?<=127\.0\.0\.1:)80[89]\d\b|(?<=localhost:)80[89]\d\b|(?<=--port )80[89]\d\b")


class Ports:
    """The page's ports (8080, 8081...) and the free ones standing in for them, one each."""

    def __init__(self, first: int):
        self.taken = {8080: first}

    def __getitem__(self, port: int) -> int:
        if port not in self.taken:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.taken[port] = sock.getsockname()[1]
        return self.taken[port]

    def rewrite(self, command: str) -> str:
        command = DOC_PORT.sub(lambda m: str(self[int(m[0])]), command)
        return command.replace("localhost:", "127.0.0.1:")


def starts_a_sandbox(command: str) -> bool:
    """`make run` or `sandbox serve` alone; with more on the line (`sandbox serve --port 99999;
    echo $?`) it is a command like any other, expected to end."""
    return SERVES.match(command) is not None and not re.search(r"[;&|]", command)


def with_port(command: str, ports: Ports) -> str:
    """A command that starts the sandbox, started in the background on the port standing in
    for its own (8080 for `make run`), in place of the one already there; the others go on."""
    asked = re.search(r"--port (\d+)", command)
    port = ports[int(asked[1]) if asked else 8080]
    if "make run" in command:
        command += f" PORT={port}"
    elif not asked:
        command += f" --port {port}"
    return f"__stop {port}; __serve {port} env {ports.rewrite(command)}"


def prelude(log: Path) -> list[str]:
    """Bash functions: start a sandbox on a port in the background (its own process group) and
    wait for it to answer; stop the one on a port, or all; and curl as the reader's, keeping the
    answer's headers aside."""
    return [
        "set -m",
        "declare -A __servers",
        f'__headers="{log.parent}/headers"',
        f'__serve() {{ local port=$1; shift; "$@" >>"{log}" 2>&1 & __servers[$port]=$!; '
        'for __i in $(seq 400); do command curl -s -o /dev/null '
        '"http://127.0.0.1:$port/__sandbox/health" && return 0; sleep 0.05; done; '
        'echo "the sandbox did not start"; return 1; }',
        '__stop() { local pid=${__servers[$1]}; if [ -n "$pid" ]; then kill -- -$pid 2>/dev/null; '
        'wait $pid 2>/dev/null; unset "__servers[$1]"; fi; }',
        '__stop_all() { for __p in "${!__servers[@]}"; do __stop "$__p"; done; }',
        "trap __stop_all EXIT",
        'curl() { command curl -D "$__headers" "$@"; }',
    ]


def workspace(root: Path) -> Path:
    """A folder that looks like the repository (its entries linked) where a page's examples may
    write (`mkdir my-scenarios`, `make run`'s .sandbox/state.db) without touching it."""
    folder = Path(tempfile.mkdtemp(prefix="docs-examples-"))
    for entry in root.iterdir():
        if entry.name not in (".git", ".sandbox", ".bench"):
            (folder / entry.name).symlink_to(entry)
    return folder


def body_of(output: str) -> str:
    """What a command printed, without the status line and headers `curl -i` puts first."""
    if output.startswith("HTTP/"):
        return output.split("\r\n\r\n", 1)[-1].split("\n\n", 1)[-1]
    return output


def run_page(text: str, port: int, root: Path, timeout: float = 120) -> list[Command]:
    """Runs every command of the page in one bash, in a fresh workspace (removed after),
    `make run` first; returns them with what they did. `port`: the free port standing in for
    8080; others are found as the page names them."""
    every = [command for block in blocks(text) for command in block.commands]
    if not every:
        return []
    folder = workspace(root)
    try:
        return _run_in(folder, every, port, timeout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # its state, server.log: nothing read after


def _run_in(folder: Path, every: list[Command], port: int, timeout: float) -> list[Command]:
    marker = "__sandbox_docs_" + uuid.uuid4().hex
    script = prelude(folder / "server.log") + [f"__serve {port} make run PORT={port}"]
    ports = Ports(port)
    for n, command in enumerate(every):
        line = with_port(command.text, ports) if starts_a_sandbox(command.text) \
            else ports.rewrite(command.text)
        script += [': > "$__headers"', line,
                   f'__code=$?; echo; echo "{marker} {n} $__code"; '
                   f'grep -a "^HTTP/" "$__headers" | tail -1; echo "{marker}"']
    ran = subprocess.run(["bash"], input="\n".join(script) + "\n", capture_output=True,
                         text=True, cwd=folder, timeout=timeout)
    pieces = ran.stdout.split(marker)
    # pieces: output0, " 0 code\nHTTP/1.1 200 OK\n", output1, ...
    for n, command in enumerate(every):
        if 2 * n + 1 >= len(pieces):
            command.output = ran.stderr[-2000:]
            break
        command.output = pieces[2 * n].strip("\n")
        trailer = pieces[2 * n + 1].split("\n")
        command.exit_code = int(trailer[0].split()[-1])
        status_line = trailer[1].split() if len(trailer) > 1 else []
        command.answered = status_line[1] if len(status_line) > 1 else None
    return every


def problems(page: str, commands_run: list[Command]) -> list[str]:
    found = []
    for command in commands_run:
        where = f"{page}:{command.line}: {command.text.splitlines()[0][:70]}"
        if command.exit_code is None:
            found.append(f"{where}: did not run ({command.output[-300:]})")
            continue
        if command.exit_code != 0:
            found.append(f"{where}: exit {command.exit_code}: {command.output[-300:]}")
        if "Traceback" in command.output:
            found.append(f"{where}: printed a traceback")
        if command.status and command.answered != command.status:
            found.append(f"{where}: the page says {command.status}, it answered "
                         f"{command.answered}: {command.output[:300]}")
        elif command.body and not shape_matches(command.body, body_of(command.output)):
            found.append(f"{where}: the page shows {command.body[:200]}\n    it printed "
                         f"{command.output[:400]}")
    return found
