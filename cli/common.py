"""The Typer app and what the commands share: consoles, usage errors and the common options.

Commands are registered on ``app`` by :mod:`iacmod.cli.app` and :mod:`iacmod.cli.pr`, which
import this module (and not each other's), so the command modules form no import cycle.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path

import typer
from rich.console import Console

from iacmod import api


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    gitlab = "gitlab"


app = typer.Typer(
    name="iacmod",
    help="Find and fix defects in infrastructure-as-code (Pulumi, AWS CDK, CDKTF) and Lambda code.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _color_system() -> str | None:
    # NO_COLOR (no-color.org) means no ANSI styling at all: Rich's own handling drops colours
    # but keeps bold and the other attributes
    return None if os.environ.get("NO_COLOR") else "auto"


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True, color_system=_color_system())


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, color_system=_color_system())


def fail(message: str) -> typer.Exit:
    """A usage or configuration error: one line saying what to change, exit 2."""
    stderr().print(f"iacmod: error: {message}", markup=False)
    return typer.Exit(2)


PATHS = typer.Argument(
    ..., help="Files or directories; `-` reads code from stdin (see --stdin-filename).", exists=False
)
SELECT = typer.Option(None, "--select", help="Rules to run: codes, names or code prefixes, comma-separated.")
IGNORE = typer.Option(None, "--ignore", help="Rules not to run (codes, names or prefixes).")
ALL = typer.Option(False, "--all", help="Enable every rule.")
JOBS = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count).")
CONFIG = typer.Option(None, "--config", help="Use this pyproject.toml/iacmod.toml instead of the nearest one.")
FORMAT = typer.Option(
    Format.text,
    "--format",
    help="Output format: text, json, github (annotations), sarif, junit or gitlab (Code Quality).",
)


def run_options(paths: list[Path], all_: bool, select, ignore, unsafe: bool | None, jobs, config) -> api.RunOptions:
    if all_ and select:
        raise fail("--all and --select exclude each other; use one of them")
    return api.RunOptions(
        paths=tuple(paths),
        all_rules=all_,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        unsafe_fixes=unsafe,
        jobs=jobs,
        config_file=config,
    )
