"""Point the flipdish-sim plugin at this receiver: the fixtures below override the plugin's defaults."""

from __future__ import annotations

import pytest

from flipdish_sim.plugin.target import Target

from .app import create_app

SECRET = "example-signing-secret"


@pytest.fixture
def app():
    return create_app([SECRET])


@pytest.fixture
def flipdish_receiver(app):
    return Target.from_app(app, url="/webhooks/flipdish")


@pytest.fixture
def flipdish_secret():
    return SECRET


@pytest.fixture
def flipdish_probe(app):
    return lambda: len(app.extensions["flipdish_applied"])
