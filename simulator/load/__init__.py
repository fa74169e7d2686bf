"""Load tests with Locust: the locustfile (:mod:`.locustfile`) and the delivery plan it runs (``_plan``).

This file is a locustfile too, so the documented ``locust -f "$(python -c 'import flipdish_sim.simulator.load
as m; print(m.__file__)')"`` keeps working: loaded by Locust (under another module name) it brings in the
user class; imported as this package it imports nothing (importing Locust patches the process with gevent).
"""

from __future__ import annotations

if __name__ != "flipdish_sim.simulator.load":  # loaded by `locust -f <this file>`
    from flipdish_sim.simulator.load.locustfile import *  # noqa: F403

__all__: list[str] = []
