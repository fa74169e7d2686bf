"""A throwaway receiver project for the plugin's tests: receiver modules, an ini file, run with pytester.

The plugin is exercised the way users run it: a folder with their receiver and an ini file naming it
(``flipdish_app``, ``flipdish_url``, ...), and pytest run in it (``pytester.runpytest_inprocess``).
"""

from __future__ import annotations

import pytest

__all__ = ["plugin_ini", "receiver_project"]


def plugin_ini(
    *,
    app: str | None = "receiver_app:app",
    url: str | None = "/webhook",
    verify_token: str | None = None,
    asyncio_scope: bool = True,
    **more: str,
) -> str:
    """The ``[pytest]`` section of a user's ini file: ``flipdish_app``, ``flipdish_url``,
    ``flipdish_verify_token`` when given, then ``more`` (``flipdish_lifespan="false"``, ...).

    ``asyncio_scope`` sets pytest-asyncio's ``asyncio_default_fixture_loop_scope`` (it warns without it,
    and the projects run under ``-W error``); leave it out where pytest-asyncio is not loaded, where the
    key would be unknown.
    """
    keys = {"flipdish_app": app, "flipdish_url": url, "flipdish_verify_token": verify_token, **more}
    lines = ["[pytest]", *(f"{key} = {value}" for key, value in keys.items() if value is not None)]
    if asyncio_scope:
        lines.append("asyncio_default_fixture_loop_scope = function")
    return "\n".join(lines) + "\n"


def receiver_project(pytester: pytest.Pytester, ini: str, **modules: str) -> pytest.Pytester:
    """``pytester``'s folder holding ``modules`` (name -> source, e.g. ``receiver_app=...``) and ``ini``,
    importable by the tests written into it."""
    pytester.makepyfile(**modules)
    pytester.makeini(ini)
    pytester.syspathinsert()
    return pytester
