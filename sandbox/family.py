"""What an API family is: one record that carries its facts, read by every generic module.

A family (core, cooperative, BCS... each a folder under sandbox/apis) declares its routes, its
settings, its locale, the headers it documents and how its credentials travel. What needs the
config or its data files to exist (views, envelope, authenticator, fixtures, catalog, responders)
it builds in `start(sandbox)`, which returns a `Parts`. The app, `sandbox check`, the admin API,
the console, OpenAPI, the CLI, the journal and the middleware read these records; none of them
names a family.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .config import Config, Setting

if TYPE_CHECKING:  # annotations only: the registry imports this module
    from flask import Blueprint, Request

    from .errors import SandboxError


@dataclass(frozen=True)
class Route:
    """One upstream route, as its family declares it.

    name: the upstream operation's name (the scenario engine, journal and docs use it); declared
    here, never taken from a function's name. path: under the family's base path; <name> is a path
    parameter. may_wait: its answer can wait (a sleep, a long render), so the server must not
    answer it on the event loop. identified_by: where a request names whom it is about, as
    scenario match keys (`query.mnemonic`, `body.govIssueIdent.identSerialNum`); with the path
    parameters, what a recording (`sandbox record`) matches on. writes: it reads, then writes
    the state (under its lock): a round of the event loop holding one takes a shared state's
    lock with its first read (one round trip less). meta: static facts for the docs
    (seed, request schemas, success status, the error responseType...); what the OpenAPI
    document and Postman collection read is listed in sandbox/admin/openapi.py
    (request_schema(s), query_schema, success_status, path_example, query_example,
    header_parameters)."""
    name: str
    method: str
    path: str
    summary: str = ""
    may_wait: bool = False
    identified_by: tuple[str, ...] = ()
    writes: bool = False
    meta: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Security:
    """How a family's credentials travel, for the documents that show them.

    label: what the console calls it ("HTTP Basic"). note: one line on how it is checked.
    schemes(config): OpenAPI securitySchemes. requirements: OpenAPI security requirements
    (alternatives, each naming schemes that go together). example_headers(config): working
    credentials as headers (the console's Try, docs). lines(config): what a person reads (the
    console's credentials panel). summary(config): the same in one line (the start banner)."""
    label: str
    note: str
    schemes: Callable[[Config], dict]
    requirements: list
    example_headers: Callable[[Config], dict]
    lines: Callable[[Config], list]
    summary: Callable[[Config], str]
    # example header name -> the Postman collection variable holding its value ("bcsClientId");
    # unnamed ones are named after the family and the header.
    variables: dict = field(default_factory=dict, compare=False, hash=False)


def no_credentials(note: str) -> Security:
    """A family whose upstream documents no credentials."""
    return Security("none", note, lambda config: {}, [], lambda config: {},
                    lambda config: ["none"], lambda config: f"no credentials ({note})")


@dataclass(frozen=True)
class Command:
    """A `sandbox NAME` subcommand a family brings. arguments: its click parameters
    (click.Argument, click.Option); run(args, sandbox) runs it over a registered Sandbox, `args`
    holding the parameters by name, and returns the exit code."""
    name: str
    help: str
    arguments: tuple
    run: Callable


@dataclass(frozen=True)
class Responder:
    """Something that looks at a request before its route runs and may answer instead (a forced
    error, a scenario, a magic number), or returns None to let the next one decide.

    rank: its place in the order of choice (ORDER), lowest first. may_wait(header): whether it may
    hold this request (a sleep, a long render); `header(name)` looks a request header up. headers:
    the request headers it reads (documented, allowed in CORS preflights)."""
    name: str
    rank: int
    answer: Callable
    may_wait: Callable[[Callable[[str], str | None]], bool] | None = None
    headers: tuple[str, ...] = ()


# The order of choice (docs/qa.md): the first responder that answers wins, then the route.
ORDER = {"delay": 0, "forced_error": 10, "named_scenario": 20, "magic_number": 30,
         "chaos": 35, "active_scenario": 40}


class _Route:
    def __repr__(self) -> str:
        return "ROUTE"


# What a responder returns to have the route answer now, the responders after it unasked (a
# sequence's `route` step).
ROUTE = _Route()


@dataclass
class Parts:
    """What a family builds at start, from the config and its data.

    views: operation name -> view function, one for each declared route. envelope(err, operation):
    the body of an error answer on the family's routes (operation None when no route matched).
    authenticate(request): raises SandboxError when credentials are missing or wrong. idents:
    operation name -> fn(request) -> the identification numbers the request carries (magic
    numbers); `default_idents` for the others. customer(operation, request, state): the stored
    record a request names, for scenario templates. examples: operation name -> extra meta
    (request_example, response_example, response_examples). catalog: the family's error catalog,
    if it has one (find, error, is_magic, rows, codes). chaos_errors(operation name): the errors
    chaos answers on the route when told none (its catalog's specs; HTTP statuses 500 and 503
    where it is None). blueprints: extra admin routes. reads: operation name (a route without
    path parameters) -> fn(args, body) -> the records (kind, key) a request reads first, from
    its query args (`args.get(name)`: a parameter's first value) and its JSON body as posted
    (None where it has none, or none that parses); a state over a file or the network reads a
    round's together, before its requests run (one statement, one round trip). A hint only: a
    wrong one costs a read, and one that raises names nothing."""
    views: dict[str, Callable]
    envelope: Callable[["SandboxError", object], dict]
    authenticate: Callable[["Request"], None] | None = None
    fixtures: dict = field(default_factory=dict)
    idents: dict[str, Callable] = field(default_factory=dict)
    default_idents: Callable | None = None
    customer: Callable | None = None
    examples: dict[str, dict] = field(default_factory=dict)
    catalog: object | None = None
    responders: list[Responder] = field(default_factory=list)
    chaos_errors: Callable[[str], list] | None = None
    blueprints: list["Blueprint"] = field(default_factory=list)
    reads: dict[str, Callable] = field(default_factory=dict)


def no_base(config: Config) -> str:
    return ""


@dataclass(frozen=True)
class Family:
    """An upstream API family.

    name: its short name (OpenAPI tag, Operation.family). title: what a person reads. base_path:
    where its routes live, from the config. headers: the request headers it documents (allowed in
    CORS preflights). secret_headers / secret_fields: where its secrets travel (masked in the
    journal). locale: the Faker locale of its country, for fake data in templates. parameters:
    OpenAPI header parameters its routes take besides the sandbox's own (by component name).
    path_examples: an example value per path parameter name; path_parameters: a JSON schema per
    path parameter name (string by default). admin_paths: OpenAPI path items of the admin routes
    its blueprints add (by path under the admin prefix). commands: its CLI subcommands."""
    name: str
    title: str
    routes: tuple[Route, ...]
    start: Callable[..., Parts]
    base_path: Callable[[Config], str] = no_base
    settings: tuple[Setting, ...] = ()
    locale: str = "en_US"
    security: Security = no_credentials("The upstream documents no credentials")
    headers: tuple[str, ...] = ()
    secret_headers: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()
    parameters: dict = field(default_factory=dict, compare=False, hash=False)
    path_examples: dict = field(default_factory=dict, compare=False, hash=False)
    path_parameters: dict = field(default_factory=dict, compare=False, hash=False)
    admin_paths: dict = field(default_factory=dict, compare=False, hash=False)
    commands: tuple[Command, ...] = ()

    def where(self, config: Config) -> str:
        """Where its routes live, as a person reads it: its base path, or its routes' paths."""
        return self.base_path(config) or ", ".join(dict.fromkeys(r.path for r in self.routes))

    def route(self, name: str) -> Route:
        return next(route for route in self.routes if route.name == name)


def all_settings(families) -> tuple[Setting, ...]:
    return tuple(setting for family in families for setting in family.settings)
