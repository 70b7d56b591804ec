"""One convention for the list options of `tabpfn-lite` and of the benchmark scripts: the values
follow one flag, separated by spaces (`--methods lite xgb`, `--data a.h5 b.h5`). A comma list
(`--methods lite,xgb`) or a repeated flag (`--data a.h5 --data b.h5`) is an error whose message
shows the right form, never a silently dropped value."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_list_option(
    parser: argparse.ArgumentParser,
    flag: str,
    type: Callable[[str], Any] = str,
    nargs: str = "+",
    **kwargs: Any,
) -> argparse.Action:
    """`parser.add_argument(flag, nargs=nargs, ...)` for a space-separated list of `type`."""
    return parser.add_argument(
        flag, nargs=nargs, type=_list_item(type, flag), action=_GivenOnce, **kwargs
    )


def _list_item(convert: Callable[[str], Any], flag: str) -> Callable[[str], Any]:
    def item(text: str) -> Any:
        if "," in text:
            spaced = " ".join(part for part in text.split(",") if part)
            raise argparse.ArgumentTypeError(
                f"list values are separated by spaces, not commas: {flag} {spaced}"
            )
        return convert(text)

    item.__name__ = getattr(convert, "__name__", "value")  # argparse names it in its errors
    return item


class _GivenOnce(argparse.Action):
    """Stores the list; a second occurrence of the flag in the same command line is an error
    (argparse would keep only the last one)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        # argparse starts from the default object itself: anything else was set by this flag.
        if getattr(namespace, self.dest, self.default) is not self.default:
            parser.error(
                f"{option_string} was given twice; give all its values after one flag, "
                f"separated by spaces: {option_string} A B"
            )
        setattr(namespace, self.dest, values)
