"""`consultbot flows validate|show|schema`: check, read and edit flow files.

- `validate PATH...` checks each file and lists every problem of every file
  (exit 1 if any has one), then the warnings of valid files (synonyms that
  will misfire; `--strict` makes them problems);
- `show PATH` prints the questions as a resident will see them, numbered, with
  their choices, ranges and the condition under which each is asked, for an
  organizer to proofread;
- `schema` prints the JSON Schema of the format for editors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.flows_deploy import add_deploy_commands
from bot.cli.flows_poster import add_poster_command


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "flows",
        help="check, show and edit consultation flow files",
        description="Check, show and edit consultation flow files (YAML).",
    )
    commands = parser.add_subparsers(dest="flows_command", required=True, metavar="ACTION")

    validate = commands.add_parser(
        "validate", help="check flow files and list every problem", description=_doc(validate_)
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="flow file(s)")
    validate.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (synonyms that will misfire) as problems: exit code 1",
    )
    validate.set_defaults(handler=validate_)

    show = commands.add_parser(
        "show", help="print a flow as residents will see it", description=_doc(show_)
    )
    show.add_argument("path", type=Path, metavar="PATH", help="a flow file")
    show.add_argument("--lang", help="show only this language (default: all of the flow's)")
    show.set_defaults(handler=show_)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of flow files", description=_doc(schema_)
    )
    schema.add_argument("--output", "-o", type=Path, help="write it to this file instead")
    schema.set_defaults(handler=schema_)

    add_deploy_commands(commands)
    add_poster_command(commands)


def _doc(function: Any) -> str:
    return str(function.__doc__).strip()


def validate_(args: argparse.Namespace) -> int:
    """Check flow files, and the bot's own text catalogue (flows/texts); list
    every problem of every file (exit code 1 if any)."""
    from bot.flow_check import FlowCheck, check_text
    from flows.errors import CatalogueError, FlowValidationError
    from flows.loader import read_flow_text

    try:
        import flows.catalogue  # noqa: F401  (reading it checks it)
    except CatalogueError as error:
        count = len(error.problems)
        print(f"the text catalogue: {count} problem{'s' if count > 1 else ''}", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    failed = 0
    for path in args.paths:
        try:
            check = check_text(read_flow_text(path), str(path))
        except FlowValidationError as error:
            check = FlowCheck(str(path), None, None, error.problems)
        if check.flow is None:
            failed += 1
            print(check.summary, file=sys.stderr)
            for problem in check.problems:
                print(f"  {problem}", file=sys.stderr)
            continue
        if check.warnings and args.strict:
            failed += 1
            count = len(check.warnings)
            print(f"{path}: {count} warning{'s' if count > 1 else ''} (--strict)", file=sys.stderr)
            for warning in check.warnings:
                print(f"  {warning}", file=sys.stderr)
            continue
        print(check.summary)
        for warning in check.warnings:
            print(f"  warning: {warning}")
        for note in check.notes:
            print(note)
    if failed and len(args.paths) > 1:
        print(f"{failed} of {len(args.paths)} files have problems", file=sys.stderr)
    return 1 if failed else 0


def show_(args: argparse.Namespace) -> int:
    """Print a flow as residents will see it: every text, each question with its
    type, choices, range and the condition under which it is asked."""
    from bot.flow_preview import FlowPrinter
    from flows.loader import load_flow

    flow = load_flow(args.path)
    if args.lang is not None and args.lang not in flow.languages:
        print(
            f"consultbot: {args.path}: the flow has no language '{args.lang}'"
            f" (it has {', '.join(flow.languages)})",
            file=sys.stderr,
        )
        return 1
    languages = (args.lang,) if args.lang else flow.languages
    print(FlowPrinter(flow, languages).render(), end="")
    return 0


def schema_(args: argparse.Namespace) -> int:
    """Print the JSON Schema of flow files. Point your editor at it, e.g. with the
    line `# yaml-language-server: $schema=PATH/TO/schema.json` at the top of a flow
    for the YAML extension of VS Code."""
    from flows.schema import json_schema_text

    text = json_schema_text()
    if args.output is None:
        print(text, end="")
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"consultbot: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    return 0
