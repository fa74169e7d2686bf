"""Point the flipdish-sim plugin at this receiver: the fixtures below override the plugin's defaults."""

from __future__ import annotations

import pytest

from flipdish_sim.plugin.target import Target

from .app import create_app

TOKEN = "example-verify-token"


@pytest.fixture
def app():
    return create_app(TOKEN)


@pytest.fixture
def flipdish_receiver(app):
    return Target.from_app(app, url="/webhooks/flipdish")


@pytest.fixture
def flipdish_verify_token():
    return TOKEN


@pytest.fixture
def flipdish_probe(app):
    return lambda: len(app.state.applied)
