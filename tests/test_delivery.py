"""One delivery attempt against real loopback receivers (and respx only for pure classification checks)."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
import receivers
import respx
from fastapi import FastAPI, Request

from flipdish_sim import __version__
from flipdish_sim.simulator.http import _delivery as delivery
from flipdish_sim.simulator.http import _stopwatch as stopwatch
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.wire._envelope import (
    DEFAULT_OPTIONS,
    OutgoingRequest,
    RequestOptions,
    legacy_envelope,
    legacy_request,
    v3_request,
)
from flipdish_sim.verify import verify_signature, verify_token

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SHORT = 0.5  # seconds: the deadline is a parameter; tests that expect a timeout keep it short
ROOMY = 10.0  # seconds: tests that expect an answer allow Flipdish's full deadline (a loaded CI machine)
ENVELOPE = legacy_envelope("order.created", NOW, {"OrderId": 1, "Note": "Café €"})


def legacy(url: str) -> OutgoingRequest:
    return legacy_request(url, ENVELOPE, verify_token="tok-123")


def send(
    request: OutgoingRequest,
    *,
    deadline: float = ROOMY,
    max_response_bytes: int = 65536,
    client: Callable[[], httpx.AsyncClient] = delivery.make_client,
) -> Attempt:
    async def run() -> Attempt:
        async with client() as http:
            return await delivery.attempt(
                http, request, at=NOW, deadline=deadline, max_response_bytes=max_response_bytes
            )

    return asyncio.run(run())


# -- what the receiver gets


def test_the_receiver_gets_exactly_the_request_bytes_and_headers() -> None:
    with receivers.ok(200, body=b"thanks") as receiver:
        result = send(legacy(receiver.url))
    assert result.ok
    assert result.outcome is Outcome.ACKNOWLEDGED
    assert result.at == NOW
    assert result.response_body == b"thanks"
    [seen] = receiver.requests
    assert seen.method == "POST"
    assert seen.path == "/webhook"
    assert seen.body == legacy(receiver.url).body
    assert seen.header("Content-Type") == "application/json"
    assert verify_token(seen.header("X-Verify-Token"), "tok-123")
    assert seen.header("User-Agent") == f"flipdish-sim/{__version__}"
    # httpx's own defaults are not Flipdish's: none of them reach the receiver
    assert seen.header("Accept-Encoding") is None
    assert seen.header("Accept") is None


def test_a_v3_delivery_verifies_on_the_receiving_side() -> None:
    with receivers.ok(202) as receiver:
        request = v3_request(
            receiver.url, "menu.published.v1", {"menuId": 1}, secrets=["s1", "s2"], at=NOW, event_id="evt_9"
        )
        assert send(request).ok
    [seen] = receiver.requests
    verify_signature(seen.header("X-Flipdish-Signature"), seen.body, "s2", now=NOW)
    assert seen.header("X-Flipdish-Idempotency-Key") == "evt_9"


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_every_2xx_acknowledges(status: int) -> None:
    with receivers.ok(status) as receiver:
        result = send(legacy(receiver.url))
    assert (result.outcome, result.status_code, result.error) == (Outcome.ACKNOWLEDGED, status, None)


@pytest.mark.parametrize("status", [301, 302, 307, 308, 400, 401, 404, 410, 429, 500, 502, 503])
def test_every_other_status_is_an_http_error(status: int) -> None:
    with receivers.ok(status) as receiver:
        result = send(legacy(receiver.url))
    assert (result.outcome, result.status_code) == (Outcome.HTTP_ERROR, status)
    assert result.error is not None
    assert str(status) in result.error


def test_a_redirect_is_a_failure_and_is_never_followed() -> None:
    with receivers.ok(200) as target, receivers.redirect(location=target.url) as receiver:
        result = send(legacy(receiver.url))
    assert (result.outcome, result.status_code) == (Outcome.HTTP_ERROR, 302)
    assert result.error is not None
    assert "not followed" in result.error
    assert len(receiver.requests) == 1
    assert target.requests == []  # the redirect target never saw the webhook


def test_a_redirect_loop_is_one_failed_attempt() -> None:
    with receivers.redirect_loop() as receiver:
        result = send(legacy(receiver.url))
    assert (result.outcome, result.status_code) == (Outcome.HTTP_ERROR, 302)
    assert len(receiver.requests) == 1


def test_304_not_modified_is_a_failure() -> None:
    with receivers.not_modified() as receiver:
        result = send(legacy(receiver.url))
    assert (result.outcome, result.status_code) == (Outcome.HTTP_ERROR, 304)


# -- slow receivers: one deadline over the whole exchange


def test_a_receiver_that_never_answers_times_out_at_the_deadline() -> None:
    with receivers.silent() as receiver:
        result = send(legacy(receiver.url), deadline=SHORT)
    assert result.outcome is Outcome.TIMEOUT
    assert result.status_code is None
    assert result.duration >= SHORT
    assert result.error == "no response within the 0.5 s deadline"
    assert len(receiver.requests) == 1  # it did receive the webhook: a timeout is not proof of non-delivery


def test_a_trickling_receiver_still_fails_at_the_deadline() -> None:
    # One byte every 0.2 s: no single read ever waits long, only the whole-attempt deadline catches it.
    with receivers.trickle(interval=0.2) as receiver:
        result = send(legacy(receiver.url), deadline=SHORT)
    assert result.outcome is Outcome.TIMEOUT
    assert result.duration >= SHORT


def test_headers_then_silence_times_out_with_the_status_seen() -> None:
    with receivers.stall_after_headers(status=200) as receiver:
        result = send(legacy(receiver.url), deadline=SHORT)
    assert (result.outcome, result.status_code) == (Outcome.TIMEOUT, 200)
    assert result.error is not None
    assert "did not complete" in result.error


def test_the_deadline_also_overrides_a_client_with_short_httpx_timeouts() -> None:
    def impatient() -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=0.01)

    with receivers.ok(200) as receiver:
        assert send(legacy(receiver.url), client=impatient).ok


# -- rude and broken receivers


def test_a_reset_connection_is_classified() -> None:
    with receivers.reset() as receiver:
        result = send(legacy(receiver.url))
    assert result.outcome is Outcome.CONNECTION_RESET
    assert result.status_code is None


def test_nothing_listening_is_connection_refused() -> None:
    result = send(legacy(receivers.refused_url()))
    assert result.outcome is Outcome.CONNECTION_REFUSED
    assert result.error == "connection refused: nothing listens at that address"


def test_broken_http_is_a_malformed_response() -> None:
    with receivers.broken() as receiver:
        result = send(legacy(receiver.url))
    assert result.outcome is Outcome.MALFORMED_RESPONSE
    assert result.error is not None
    assert "\n" not in result.error


def test_an_untrusted_certificate_is_a_tls_error() -> None:
    with receivers.tls_untrusted() as receiver:
        result = send(legacy(receiver.url))
    assert result.outcome is Outcome.TLS_ERROR
    assert result.error is not None
    assert "self-signed" in result.error
    assert receiver.requests == []  # nothing was sent over an untrusted channel


def test_tls_checks_can_be_turned_off_for_staging() -> None:
    with receivers.tls_untrusted() as receiver:
        result = send(legacy(receiver.url), client=lambda: delivery.make_client(verify_tls=False))
    assert result.outcome is Outcome.ACKNOWLEDGED
    assert len(receiver.requests) == 1


def test_a_certificate_can_be_trusted_explicitly() -> None:
    with receivers.tls_untrusted() as receiver:
        assert receiver.certificate is not None
        context = ssl.create_default_context(cafile=str(receiver.certificate.cert_file))
        result = send(legacy(receiver.url), client=lambda: delivery.make_client(verify_tls=context))
    assert result.outcome is Outcome.ACKNOWLEDGED


def test_a_100_mb_answer_is_read_only_up_to_the_limit() -> None:
    with receivers.large(size=100 * 2**20) as receiver:
        result = send(legacy(receiver.url), max_response_bytes=1000)
    assert result.ok
    assert len(result.response_body) == 1000
    assert result.response_truncated is True


def test_a_small_answer_is_not_truncated() -> None:
    with receivers.ok(200, body=b"x" * 1000) as receiver:
        result = send(legacy(receiver.url), max_response_bytes=1000)
    assert (len(result.response_body), result.response_truncated) == (1000, False)


def test_keep_alive_connections_are_reused_across_attempts() -> None:
    with receivers.sequence([500, 503], then=200) as receiver:

        async def three() -> list[Outcome]:
            async with delivery.make_client() as client:
                return [
                    (await delivery.attempt(client, legacy(receiver.url), at=NOW, deadline=ROOMY)).outcome
                    for _ in range(3)
                ]

        outcomes = asyncio.run(three())
    assert outcomes == [Outcome.HTTP_ERROR, Outcome.HTTP_ERROR, Outcome.ACKNOWLEDGED]
    assert len(receiver.requests) == 3


def test_invalid_urls_never_raise() -> None:
    for url in ["ftp://example.invalid/x", "not a url", "http://"]:
        result = send(legacy(url))
        assert result.outcome is Outcome.CONNECTION_ERROR, url
        assert result.error is not None


def test_a_nonpositive_deadline_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="deadline"):
        send(legacy("http://127.0.0.1:9/x"), deadline=0)


# -- classification of exceptions (unit level, respx)


def _with_cause(exc: httpx.HTTPError, cause: BaseException) -> httpx.HTTPError:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("raised", "outcome"),
    [
        (httpx.ConnectTimeout("connect timed out"), Outcome.TIMEOUT),
        (httpx.ReadTimeout("read timed out"), Outcome.TIMEOUT),
        (
            _with_cause(httpx.ConnectError("x"), ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
            Outcome.CONNECTION_REFUSED,
        ),
        (
            _with_cause(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
            Outcome.CONNECTION_ERROR,
        ),
        (_with_cause(httpx.ConnectError("x"), ssl.SSLError(1, "wrong version number")), Outcome.TLS_ERROR),
        (
            _with_cause(httpx.ReadError("x"), ConnectionResetError(errno.ECONNRESET, "reset")),
            Outcome.CONNECTION_RESET,
        ),
        (httpx.ReadError("peer went away"), Outcome.CONNECTION_RESET),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            Outcome.CONNECTION_RESET,
        ),
        (httpx.RemoteProtocolError("illegal status line: b'SSH-2.0'"), Outcome.MALFORMED_RESPONSE),
        (httpx.ConnectError("network unreachable"), Outcome.CONNECTION_ERROR),
        (httpx.UnsupportedProtocol("unsupported"), Outcome.CONNECTION_ERROR),
    ],
)
def test_transport_exceptions_are_classified(raised: Exception, outcome: Outcome) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    mock = lambda: delivery.make_client(transport=httpx.MockTransport(handler))  # noqa: E731
    result = send(legacy("https://receiver.test/hook"), client=mock)
    assert result.outcome is outcome
    assert result.error is not None
    assert "\n" not in result.error


def test_classification_looks_inside_exception_groups() -> None:
    group = ExceptionGroup("all attempts failed", [ConnectionRefusedError(errno.ECONNREFUSED, "refused")])
    assert (
        delivery.classify_exception(_with_cause(httpx.ConnectError("x"), group))[0]
        is Outcome.CONNECTION_REFUSED
    )


def test_response_headers_are_recorded() -> None:
    with respx.mock as mock:
        mock.post("https://receiver.test/hook").respond(200, headers={"X-Request-Id": "r-1"}, content=b"ok")
        # respx patches httpx's own transport; the default one runs on aiohttp, so name httpx's here
        over_httpx = lambda: delivery.make_client(transport=httpx.AsyncHTTPTransport())  # noqa: E731
        result = send(legacy("https://receiver.test/hook"), client=over_httpx)
    assert ("x-request-id", "r-1") in result.response_headers
    assert result.describe() == "acknowledged (200)"


# -- in-process targets


def _flask_app() -> object:
    flask = pytest.importorskip("flask")
    app = flask.Flask("receiver")
    seen: list[bytes] = []

    @app.post("/webhook")
    def hook() -> tuple[str, int]:
        seen.append(flask.request.get_data())
        if flask.request.headers.get("X-Verify-Token") != "tok-123":
            return "forbidden", 401
        return "", 204

    @app.post("/crash")
    def crash() -> str:
        raise RuntimeError("receiver bug")

    app.config["seen"] = seen
    return app


def test_wsgi_transport_delivers_into_a_flask_app_in_process() -> None:
    app = _flask_app()
    client = lambda: delivery.make_client(transport=delivery.wsgi_transport(app))  # noqa: E731
    ok = send(legacy("http://receiver.local/webhook"), client=client)
    denied = send(
        legacy_request("http://receiver.local/webhook", ENVELOPE, verify_token="wrong"), client=client
    )
    crashed = send(legacy("http://receiver.local/crash"), client=client)
    assert (ok.outcome, ok.status_code) == (Outcome.ACKNOWLEDGED, 204)
    assert (denied.outcome, denied.status_code) == (Outcome.HTTP_ERROR, 401)
    assert (crashed.outcome, crashed.status_code) == (Outcome.HTTP_ERROR, 500)
    assert app.config["seen"][0] == legacy("x").body  # type: ignore[attr-defined]


def test_a_synchronous_app_that_blocks_past_the_deadline_is_a_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A WSGI app runs in the caller's thread and cannot be interrupted; when it returns after the deadline,
    # the attempt is still a timeout. A fake perf_counter stands in for the slow app (no sleeping tests).
    clock = [100.0]
    monkeypatch.setattr(stopwatch.time, "perf_counter", lambda: clock[0])

    def slow_app(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        clock[0] += 12.0  # "takes" 12 s
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"late"]

    client = lambda: delivery.make_client(transport=delivery.wsgi_transport(slow_app))  # noqa: E731
    result = send(legacy("http://receiver.local/webhook"), client=client, deadline=10.0)
    assert (result.outcome, result.status_code, result.duration) == (Outcome.TIMEOUT, 200, 12.0)


def test_asgi_transport_delivers_into_a_fastapi_app_in_process() -> None:
    app = FastAPI()

    @app.post("/webhook", status_code=202)
    async def hook(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    client = lambda: delivery.make_client(transport=delivery.asgi_transport(app))  # noqa: E731
    result = send(legacy("http://receiver.local/webhook"), client=client)
    missing = send(legacy("http://receiver.local/nowhere"), client=client)
    assert (result.outcome, result.status_code) == (Outcome.ACKNOWLEDGED, 202)
    assert result.response_body == f'{{"bytes":{len(legacy("x").body)}}}'.encode()
    assert (missing.outcome, missing.status_code) == (Outcome.HTTP_ERROR, 404)


@pytest.mark.parametrize(("status", "outcome"), [(200, Outcome.ACKNOWLEDGED), (503, Outcome.HTTP_ERROR)])
def test_mock_transport_responses_are_classified_like_real_ones(status: int, outcome: Outcome) -> None:
    """Unit tests of the HTTP seam use httpx.MockTransport, whose responses arrive already read."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"received": True})

    mock = lambda: delivery.make_client(transport=httpx.MockTransport(handler))  # noqa: E731
    result = send(legacy("https://receiver.test/hook"), client=mock, max_response_bytes=8)
    assert (result.outcome, result.status_code) == (outcome, status)
    assert (result.response_body, result.response_truncated) == (b'{"receiv', True)


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("ConnectionTimeout", Outcome.TIMEOUT),
        ("Timeout", Outcome.TIMEOUT),
        ("HTTPParseError", Outcome.MALFORMED_RESPONSE),
        ("BadStatusLine", Outcome.MALFORMED_RESPONSE),
    ],
)
def test_the_one_classifier_knows_the_load_clients_exceptions(name: str, outcome: Outcome) -> None:
    """Load mode's Locust client (geventhttpclient) raises its own types; they classify like httpx's."""
    error = type(name, (Exception,), {})("boom")
    assert delivery.classify_exception(error)[0] is outcome


# -- the delivery client's direct path (no client layers) sends what the full client path sends


def _recording_asgi(seen: list[tuple[list[tuple[bytes, bytes]], bytes]]) -> Callable[..., object]:
    async def app(
        scope: dict[str, object], receive: Callable[..., object], send: Callable[..., object]
    ) -> None:
        chunks = []
        while True:
            message = await receive()  # type: ignore[misc]
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        seen.append((list(scope["headers"]), b"".join(chunks)))  # type: ignore[call-overload]
        await send({"type": "http.response.start", "status": 204, "headers": []})  # type: ignore[misc]
        await send({"type": "http.response.body", "body": b""})  # type: ignore[misc]

    return app


def _v3(url: str, options: RequestOptions = DEFAULT_OPTIONS) -> OutgoingRequest:
    return v3_request(
        url, "sale.created.v1", {"id": "e1"}, secrets=["s1", "s2"], at=NOW, event_id="e1", options=options
    )


@pytest.mark.parametrize(
    "request_",
    [
        legacy("http://receiver.local:8080/webhook?x=1"),
        _v3("https://receiver.local/v3"),
        _v3("http://receiver.local/v3", RequestOptions(extra_headers=(("X-Team", "a"), ("X-Team", "b")))),
    ],
    ids=["legacy", "v3", "v3-extra-headers"],
)
def test_the_delivery_client_sends_what_the_full_client_path_sends(request_: OutgoingRequest) -> None:
    """make_client's deliveries skip httpx's client layers (auth, hooks, redirects); a client with an
    event hook goes through all of them. The app sees the same header list and body from both."""
    direct: list[tuple[list[tuple[bytes, bytes]], bytes]] = []
    full: list[tuple[list[tuple[bytes, bytes]], bytes]] = []
    hooked: list[httpx.Request] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(request)

    def hooked_client() -> httpx.AsyncClient:
        client = delivery.make_client(transport=delivery.asgi_transport(_recording_asgi(full)))
        client.event_hooks["request"] = [hook]
        return client

    plain = lambda: delivery.make_client(transport=delivery.asgi_transport(_recording_asgi(direct)))  # noqa: E731
    assert send(request_, client=plain).status_code == 204
    assert send(request_, client=hooked_client).status_code == 204
    assert len(hooked) == 1
    assert direct == full
    names = [name for name, _ in direct[0][0]]
    assert (names[0], names[-1]) == (b"host", b"content-length")
    assert direct[0][1] == request_.body


def test_a_client_of_the_users_keeps_its_default_headers_and_auth() -> None:
    seen: list[tuple[list[tuple[bytes, bytes]], bytes]] = []

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=delivery.asgi_transport(_recording_asgi(seen)),
            headers={"X-Gateway": "g1"},
            auth=("user", "pass"),
        )

    assert send(legacy("http://receiver.local/webhook"), client=client).ok
    headers = dict(seen[0][0])
    assert headers[b"x-gateway"] == b"g1"
    assert headers[b"authorization"].startswith(b"Basic ")


def test_httpx_request_log_lines_stay_when_its_info_log_is_on(caplog: pytest.LogCaptureFixture) -> None:
    app = _recording_asgi([])
    with caplog.at_level("INFO", logger="httpx"):
        send(
            legacy("http://receiver.local/webhook"),
            client=lambda: delivery.make_client(transport=delivery.asgi_transport(app)),
        )
    assert any("HTTP Request: POST http://receiver.local/webhook" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("location", ["/elsewhere", "http://[::1", "https://exa mple.com/"])
def test_a_redirect_is_classified_alike_on_both_client_paths(location: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": location})

    def hooked() -> httpx.AsyncClient:
        client = delivery.make_client(transport=httpx.MockTransport(handler))
        client.event_hooks["response"] = [lambda response: asyncio.sleep(0)]
        return client

    plain = send(
        legacy("http://receiver.local/hook"),
        client=lambda: delivery.make_client(transport=httpx.MockTransport(handler)),
    )
    full = send(legacy("http://receiver.local/hook"), client=hooked)
    assert (plain.outcome, plain.status_code, plain.error) == (full.outcome, full.status_code, full.error)


# -- the direct path: attempts over make_client's aiohttp transport skip httpx's objects, nothing else


def _via_httpx() -> httpx.AsyncClient:
    """make_client's client, made to send through ``client.send`` (httpx's request and response objects)."""
    client = delivery.make_client()
    assert isinstance(client, delivery.DeliveryClient)
    assert client.direct is not None
    client.direct = None
    client.event_hooks["request"] = [_no_hook]  # a hook: not the plain path either, client.send itself
    return client


async def _no_hook(request: httpx.Request) -> None:
    return None


def _comparable(result: Attempt, port: int = 0) -> tuple[object, ...]:
    error = result.error.replace(f":{port}/", ":PORT/") if result.error else None
    return (
        result.outcome,
        result.status_code,
        result.response_headers,
        result.response_body,
        error,
        result.response_truncated,
    )


_ANSWERS: dict[str, Callable[[], receivers.Receiver]] = {
    "200 with headers": lambda: receivers.ok(200, b"ok", [("X-Request-Id", "r-1"), ("Set-Cookie", "a=b")]),
    "503": lambda: receivers.ok(503, b"busy"),
    "redirect": receivers.redirect,
    "304": receivers.not_modified,
    "reset": receivers.reset,
    "not HTTP": receivers.broken,
    "2 MB answer": lambda: receivers.large(2 * 2**20),
}


@pytest.mark.parametrize("answer", list(_ANSWERS))
def test_the_direct_path_sends_and_classifies_exactly_as_httpx_does(answer: str) -> None:
    request = legacy("http://placeholder/")
    seen: list[tuple[tuple[object, ...], tuple[receivers.RecordedRequest, ...]]] = []
    for client in (delivery.make_client, _via_httpx):
        with _ANSWERS[answer]() as receiver:
            sent = OutgoingRequest(receiver.url + "?x=1&y=%C3%A9", request.headers, request.body)
            result = send(sent, max_response_bytes=65536, client=client)
        seen.append((_comparable(result, receiver.port), tuple(receiver.requests)))
    (direct, on_wire), (via_httpx, on_wire_httpx) = seen
    assert direct == via_httpx

    def without_port(requests: tuple[receivers.RecordedRequest, ...]) -> list[object]:
        return [(r.method, r.path, [h for h in r.headers if h[0] != "Host"], r.body) for r in requests]

    assert without_port(on_wire) == without_port(on_wire_httpx)
    assert on_wire  # every case read a request first


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("{url}", (("X-Verify-Token", "caf\u00e9"),)),  # not ASCII: refused before anything is sent
        ("{url}", (("X-Verify-Token", "\u20ac"),)),
        ("http://user:secret@127.0.0.1:{port}/webhook", ()),
        ("http://" + "a" * 64 + ".example/webhook", ()),
        ("ftp://127.0.0.1:{port}/webhook", ()),
        ("http://127.0.0.1:99999/webhook", ()),
        ("{refused}", ()),
    ],
)
def test_the_direct_path_refuses_and_fails_exactly_as_httpx_does(
    url: str, headers: tuple[tuple[str, str], ...]
) -> None:
    results = []
    for client in (delivery.make_client, _via_httpx):
        with receivers.ok(200) as receiver:
            target = url.format(url=receiver.url, port=receiver.port, refused=receivers.refused_url())
            base = legacy(target)
            result = send(OutgoingRequest(target, base.headers + headers, base.body), client=client)
            assert not result.ok
            assert not receiver.requests
            results.append(_comparable(result, receiver.port))
    direct, via_httpx = results
    assert direct == via_httpx


def test_what_is_added_to_the_delivery_client_still_applies_on_the_direct_path() -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    def customised() -> httpx.AsyncClient:
        client = delivery.make_client()
        client.headers["X-Staging-Gateway"] = "let-me-in"
        client.event_hooks["request"].append(hook)
        return client

    with receivers.ok(200) as receiver:
        result = send(legacy(receiver.url), client=customised)
    assert result.ok
    assert seen == [receiver.url]
    [request] = receiver.requests
    assert request.header("X-Staging-Gateway") == "let-me-in"
