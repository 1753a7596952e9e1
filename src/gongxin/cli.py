"""The `gongxin` command: Django's management commands under one name that works anywhere.

Sub-commands with hyphens (`demo-data`) map to Django command modules with underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["gongxin", *args])
    except BrokenPipeError:  # `gongxin screen … | head`: the reader left, not an error
        sys.stderr.close()
        os._exit(0)
    except Exception as exc:
        # An operator gets one line, not a traceback (which may echo what was being read);
        # --traceback shows it, as for Django's own command errors. A key-file problem is
        # said in full: its message is written for the operator and names no one.
        if "--traceback" in args:
            raise
        from gongxin.core.crypto import KeyFileError

        if isinstance(exc, KeyFileError):
            sys.stderr.write(f"{exc}\n")
        else:
            sys.stderr.write(f"命令执行失败（{type(exc).__name__}）。加 --traceback 可查看详情。\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
