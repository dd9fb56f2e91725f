"""Accounts: who may change palmap's data, and how their passwords are kept.

Two roles change data: ``editor`` (resources, districts, indicators, uploads) and ``admin`` (also
users and settings). Anonymous visitors read the public pages. Passwords are hashed with Argon2id
(:mod:`argon2`, the maintained reference binding; its defaults follow RFC 9106's second
recommended option) and never stored or logged in clear.

The web app (Flask-Login) and ``palmap user`` both go through these checks, so a login name or
password that one refuses the other refuses too, with the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mapping.errors import ValidationError, msg

Role = Literal["editor", "admin"]
#: The roles, weakest first: a role may do everything the roles before it may.
ROLES: tuple[Role, ...] = ("editor", "admin")
#: Shortest and longest password accepted (NIST SP 800-63B: at least 8; palmap asks for 12).
MIN_PASSWORD, MAX_PASSWORD = 12, 1024
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]")

_HASHER = PasswordHasher()
#: Verified against when the login does not exist, so that a wrong login takes as long as a
#: wrong password (no way to learn which logins exist from the timing).
_DUMMY_HASH = _HASHER.hash("palmap: no such user, never a password")


@dataclass(frozen=True)
class UserRecord:
    """An account as the database holds it (without the password hash)."""

    id: int
    login: str
    role: Role
    active: bool
    created_at: datetime | None = None
    last_login_at: datetime | None = None

    def may(self, role: Role) -> bool:
        """True when this account is active and its role includes ``role``.

        >>> UserRecord(1, "ola", "admin", True).may("editor")
        True
        >>> UserRecord(2, "jan", "editor", True).may("admin")
        False
        >>> UserRecord(3, "ewa", "admin", False).may("editor")
        False
        """
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


def clean_login(login: str) -> str:
    """The login name, lower-cased, if it can name an account, else :class:`ValidationError`.

    Examples
    --------
    >>> clean_login(" Anna.Nowak ")
    'anna.nowak'
    >>> clean_login("a b")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: login: expected 3 to 64 characters: lowercase letters, \
digits, '.', '_' and '-', starting and ending with a letter or digit, got 'a b'
    """
    text = login.strip().lower()
    if not _LOGIN.fullmatch(text):
        raise ValidationError(
            msg(
                "login: expected 3 to 64 characters: lowercase letters, digits, '.', '_' and '-', "
                "starting and ending with a letter or digit, got {value!r}",
                value=login,
            )
        )
    return text


def clean_role(role: str) -> Role:
    """``role`` if it is one of :data:`ROLES`, else :class:`ValidationError`.

    >>> clean_role("editor")
    'editor'
    """
    for known in ROLES:
        if role == known:
            return known
    raise ValidationError(
        msg("role: expected one of {roles}, got {value!r}", roles=", ".join(ROLES), value=role)
    )


def check_password(password: str, *, login: str) -> None:
    """Refuse a password that is too short, too long, or the login itself.

    >>> check_password("correct horse battery", login="ola")
    >>> check_password("short", login="ola")
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: password: expected at least 12 characters, got 5; \
a few unrelated words make a long password that is easy to remember
    """
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            msg(
                "password: expected at least {limit} characters, got {count}; a few unrelated "
                "words make a long password that is easy to remember",
                limit=MIN_PASSWORD,
                count=len(password),
            )
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationError(
            msg(
                "password: expected at most {limit} characters, got {count}",
                limit=MAX_PASSWORD,
                count=len(password),
            )
        )
    if password.strip().lower() == login.strip().lower():
        raise ValidationError(msg("password: expected something other than the login name"))


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted; the parameters are kept in the hash)."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; with no hash (an unknown login) the
    same work is done against a dummy hash and the answer is False.

    >>> verify_password(hash_password("correct horse battery"), "correct horse battery")
    True
    >>> verify_password(None, "anything"), verify_password("not a hash", "x")
    (False, False)
    """
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash at login)."""
    return _HASHER.check_needs_rehash(stored_hash)
