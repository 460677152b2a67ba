"""Entry point: no command opens the desktop app; a command runs the CLI on the same use cases."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli import build_parser, run

    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is not None:
        return run(args)
    from ui.application import run_gui

    return run_gui(args.db)


if __name__ == "__main__":
    sys.exit(main())
