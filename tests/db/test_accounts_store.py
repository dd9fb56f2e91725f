"""The account store on both backends (mapping/db/accounts.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from mapping.db import accounts
from mapping.errors import NotFoundError, ValidationError

PASSWORD = "correct horse battery"


def test_add_authenticate_and_end_sessions(engine: Engine) -> None:
    with engine.begin() as conn:
        ola = accounts.add_account(conn, "Ola", PASSWORD, "admin")
        accounts.add_account(conn, "jan", PASSWORD, "editor")
    assert (ola.login, ola.role, ola.active) == ("ola", "admin", True)
    with engine.begin() as conn:
        assert accounts.authenticate(conn, "OLA", PASSWORD) == accounts.get_account(conn, "ola")
        assert accounts.authenticate(conn, "ola", "wrong password here") is None
        assert accounts.authenticate(conn, "nobody", PASSWORD) is None
        assert accounts.authenticate(conn, "x y", PASSWORD) is None
    assert accounts.get_account(engine, "ola").last_login_at is not None
    token = accounts.session_token(engine, ola)
    assert accounts.session_account(engine, token) == accounts.get_account(engine, "ola")
    for forged in ("", "1", "a:b", "1:999", "999:1"):
        assert accounts.session_account(engine, forged) is None
    with engine.begin() as conn:
        accounts.set_password(conn, "ola", "another long password")
    assert accounts.session_account(engine, token) is None  # the epoch moved on
    with engine.begin() as conn:
        assert accounts.authenticate(conn, "ola", PASSWORD) is None
        assert accounts.authenticate(conn, "ola", "another long password") is not None
        accounts.set_active(conn, "jan", False)
        assert accounts.authenticate(conn, "jan", PASSWORD) is None
    assert [a.login for a in accounts.list_accounts(engine)] == ["jan", "ola"]


def test_refusals(engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.add_account(conn, "ola", PASSWORD, "admin")
    with engine.begin() as conn, pytest.raises(ValidationError, match="exists already"):
        accounts.add_account(conn, "OLA", PASSWORD, "editor")
    with engine.begin() as conn, pytest.raises(ValidationError, match="role: expected one of"):
        accounts.add_account(conn, "ewa", PASSWORD, "root")
    with engine.begin() as conn, pytest.raises(ValidationError, match="last active admin"):
        accounts.set_role(conn, "ola", "editor")
    with engine.begin() as conn, pytest.raises(NotFoundError, match="palmap user list"):
        accounts.set_active(conn, "nobody", False)
    with engine.begin() as conn:
        accounts.add_account(conn, "ewa", PASSWORD, "admin")
        accounts.set_role(conn, "ola", "editor")  # another admin is left
    assert accounts.get_account(engine, "ola").role == "editor"
