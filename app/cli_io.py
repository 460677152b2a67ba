"""Reading secrets for the command line: a prompt on a terminal, else one line of stdin."""

from __future__ import annotations

import getpass
from typing import TextIO

from app.errors import InputError
from app.i18n import _


def read_secret(stdin: TextIO, what: str) -> str:
    if stdin.isatty():
        return getpass.getpass(f"{what}: ")
    line = stdin.readline()
    if not line:
        raise InputError(_("Expected the {what} on standard input.").format(what=what))
    return line.rstrip("\r\n")


def read_signing_password(stdin: TextIO, username: str) -> str:
    """Signing always asks, even when the sign-in password came from the environment."""
    return read_secret(stdin, _("password of {user} to sign").format(user=username))
