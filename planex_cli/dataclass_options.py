"""Turn a config dataclass into argparse options, with each field's ``help`` shown by ``--help``."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, get_args, get_origin, get_type_hints


def add_dataclass_options(parser: argparse.ArgumentParser, cls: type, positional: tuple[str, ...] = ()) -> None:
    """One option per field; a help text that names its own default (a path shown relative, a
    placeholder such as ``models/<version>``) is left as written, others get ``(default: X)``."""
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        help_text = f.metadata.get("help", "")
        flag = f.name if f.name in positional else "--" + f.name.replace("_", "-")
        kwargs: dict[str, Any] = {"help": help_text}
        if get_origin(kind) is list:
            (item,) = get_args(kind)
            kwargs.update(nargs="+", type=item)
        elif kind is bool:
            # A switch that is on by default also gets its --no- form.
            kwargs.update(action=argparse.BooleanOptionalAction if f.default is True else "store_true")
        else:
            kwargs.update(type=kind)
        if f.default is not dataclasses.MISSING:
            kwargs["default"] = f.default
            if kind is not bool and "(default" not in help_text:
                kwargs["help"] = f"{help_text} (default: {f.default})"
        elif f.default_factory is not dataclasses.MISSING:
            kwargs["default"] = f.default_factory()
        elif f.name not in positional:
            kwargs["required"] = True
        if flag.startswith("--"):
            kwargs["dest"] = f.name
        parser.add_argument(flag, **kwargs)


def dataclass_from_args(cls: type, args: argparse.Namespace) -> Any:
    return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls)})
