"""The role matrix of an editor's form, shared by the resource, district, action and partnership
form tests: who posts (anonymous, editor, admin), with which CSRF token (valid, missing,
forged), from a fresh or a stale form. Without a valid token the answer is 400; with one,
anonymous gets 403, an editor or admin 302 after a save and 409 from a stale form."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask.testing import FlaskClient

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

#: Reads a form's fields at a URL as a browser would send them.
FormReader = Callable[[FlaskClient, str], dict[str, Any]]


def expected_status(who: str | None, token: str, stale: bool) -> int:
    """The answer the matrix expects for one case."""
    if token != "valid":
        return 400
    if who is None:
        return 403
    return 409 if stale else 302


def post_form(
    client: FlaskClient,
    editor: FlaskClient,
    url: str,
    read: FormReader,
    *,
    who: str | None,
    token: str,
    stale: bool,
    change: Mapping[str, str],
    other_change: Mapping[str, str],
) -> tuple[dict[str, Any], int]:
    """Post the form at ``url`` as ``client`` (logged in as ``who``, or anonymous) with
    ``change`` applied; with ``stale``, ``editor`` first saves ``other_change`` from the same
    form. Returns the form sent and the answer's status."""
    form = read(editor, url)  # the fields as an editor's browser has them
    if who is not None:  # the token is bound to the session: the requester's own form
        form["csrf_token"] = read(client, url)["csrf_token"]
    else:  # an anonymous visitor has a session with a token of its own (the login form's)
        found = TOKEN.search(client.get("/logowanie").get_data(True))
        assert found
        form["csrf_token"] = found[1]
    form.update(change)
    if stale:
        assert editor.post(url, data={**read(editor, url), **other_change}).status_code == 302
    if token == "missing":
        form.pop("csrf_token")
    elif token == "forged":
        form["csrf_token"] = "forged"
    return form, client.post(url, data=form).status_code
