"""The one rule for subscription data: what it refuses, what it lets through, and that the sender uses it.

A value the rule accepts must be usable all the way to the wire (httpx builds the request, the header
encodes); a value it refuses must be refused by the sender itself, whichever entry point passed it.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

import httpx
import pytest
import yarl
from hypothesis import given, settings
from hypothesis import strategies as st

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._subscription_rules import (
    InvalidSubscriptionError,
    check_callback_url,
    check_secrets,
    check_subscription,
    check_verify_token,
    check_version,
)

#: Every bad callback URL the issue names (and a few neighbours), with words of the message.
BAD_URLS = [
    ("http://user:s3cr3t@host.test/", "user information"),
    ("http://" + "a" * 64 + ".test/", "the limit is 63"),
    ("http://" + ".".join(["a" * 60] * 5) + "/", "the limit is 253"),
    ("http://xn--/x", "not a valid international name"),
    ("http://xn--zz-99999.test/", "not a valid international name"),
    ("http://a.test/\ud800", "U+D800"),
    ("http://a\ud800.test/", "U+D800"),
    ("http://a.test/a b", "whitespace"),
    ("http://a.test/\r\nX: y", "U+000D"),
    ("http://a.test/\x00", "U+0000"),
    (" http://a.test/", "whitespace"),
    ("http://a.test:0/", "port 0 is not in 1-65535"),
    ("http://a.test:99999/", "port 99999 is not in 1-65535"),
    ("http://a.test:port/", "not a number"),
    ("ftp://a.test/", "http:// or https://"),
    ("http:///path", "http:// or https://"),
    ("http://a..test/", "empty label"),
    ("http://a!b.test/", "letters, digits"),
    ("http://[::g]/", "IPv6 address"),
    ("http://300.1.1.1/", "not an IPv4 address"),
    ("http://a.test/" + "x" * 2100, "the limit is 2048"),
    ("", "non-empty string"),
]
GOOD_URLS = [
    "http://receiver.test/hook",
    "https://example.com:8443/webhooks/flipdish?x=1#frag",
    "http://127.0.0.1:8080/",
    "http://[::1]:9/hook",
    "http://localhost/",
    "http://my_service:8000/hook",
    "http://bücher.example/ü",
    "http://xn--bcher-kva.example/",
    "http://" + "a" * 63 + ".test/",
    "http://example.com./",
]


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_a_callback_url_the_sender_cannot_use_is_refused_with_the_reason(url: str, words: str) -> None:
    with pytest.raises(InvalidSubscriptionError, match="invalid callback URL") as caught:
        check_callback_url(url)
    assert words in str(caught.value)
    assert caught.value.field == "CallbackUrl"
    assert caught.value.code == "invalid_callback_url"
    assert "s3cr3t" not in str(caught.value)  # a URL's password never reaches a message


@pytest.mark.parametrize("url", GOOD_URLS)
def test_a_usable_callback_url_is_accepted_and_httpx_can_post_to_it(url: str) -> None:
    assert check_callback_url(url) == url
    httpx.Request("POST", url)


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("café", "U+00E9"),
        ("a\r\nX-Injected: 1", "U+000D"),
        ("tab\there", "U+0009"),
        ("\ud800", "U+D800"),
        (" padded", "space"),
        ("x" * 1025, "the limit is 1024"),
    ],
)
def test_a_verify_token_that_cannot_be_a_header_is_refused(token: str, words: str) -> None:
    with pytest.raises(InvalidSubscriptionError) as caught:
        check_verify_token(token)
    assert words in str(caught.value)
    assert caught.value.code == "invalid_verify_token"
    if len(token) > 3:
        assert token not in str(caught.value)  # a token's value never reaches a message


@pytest.mark.parametrize("secret", ["", " s", "a\nb", "\ud800", "x" * 1025])
def test_a_bad_v3_secret_is_refused_without_showing_it(secret: str) -> None:
    with pytest.raises(InvalidSubscriptionError) as caught:
        check_secrets(["good-secret", secret])
    assert "secret 2" in str(caught.value)
    assert caught.value.code == "invalid_secret"


@pytest.mark.parametrize("version", ["", "   ", "\ud800", "2.0\n", "v" * 65, 2])
def test_a_bad_version_is_refused(version: object) -> None:
    with pytest.raises(InvalidSubscriptionError) as caught:
        check_version(version)
    assert caught.value.code == "invalid_version"


def test_event_names_follow_the_catalogue_and_the_family() -> None:
    check_subscription(callback_url="http://a.test/", family="legacy", event_names=[])
    with pytest.raises(UsageError, match="unknown event"):
        check_subscription(callback_url="http://a.test/", family="legacy", event_names=["no.such"])
    with pytest.raises(InvalidSubscriptionError, match="is a v3 event"):
        check_subscription(callback_url="http://a.test/", family="legacy", event_names=["menu.published.v1"])
    with pytest.raises(InvalidSubscriptionError, match="at least one signing secret"):
        check_subscription(callback_url="http://a.test/", family="v3", event_names=[])


# -- the sender uses the rule ---------------------------------------------------------------------


@pytest.fixture
def sender(tmp_path: object) -> Iterator[Sender]:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    store = Store(tmp_path / "log.db")
    try:
        yield Sender(store, clock=VirtualClock())
    finally:
        store.close()  # Python 3.13 warns about a connection left to the GC (an error under -W error)


@pytest.mark.parametrize(
    "fields",
    [
        {"verify_token": "café"},
        {"verify_token": "a\r\nb"},
        {"callback_url": "http://user:pass@host.test/"},
        {"callback_url": "http://" + "a" * 64 + ".test/"},
        {"callback_url": "http://xn--/x"},
        {"version": "\ud800"},
    ],
)
def test_the_sender_refuses_a_bad_subscription_at_creation_and_at_update(
    sender: Sender, fields: dict[str, str]
) -> None:
    base = {"callback_url": "http://receiver.test/hook", "verify_token": "good-token"}
    spec = {**base, **fields}
    url = spec.pop("callback_url")
    with pytest.raises(InvalidSubscriptionError):
        sender.add_subscription(url, event_names=["order.created"], **spec)
    assert sender.subscriptions() == []
    good = sender.add_subscription(base["callback_url"], event_names=["order.created"])
    with pytest.raises(InvalidSubscriptionError):
        sender.update_subscription(good.id, **fields)
    assert sender.subscription(good.id).callback_url == base["callback_url"]


def test_the_sender_refuses_a_bad_v3_secret(sender: Sender) -> None:
    with pytest.raises(InvalidSubscriptionError, match="secret 1"):
        sender.add_subscription(
            "http://r.test/", event_names=["menu.published.v1"], family="v3", secrets=["\ud800"]
        )


# -- properties: accepted means usable on the wire ------------------------------------------------

_label = st.text(alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=70)
_printable = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"))
_unicode = st.text(_printable, min_size=1, max_size=12) | st.text(min_size=1, max_size=12)
hosts = st.lists(_label | _unicode | st.just("xn--") | st.just("xn--a"), min_size=1, max_size=5).map(".".join)
urls = st.builds(
    lambda scheme, user, host, port, path: f"{scheme}://{user}{host}{port}/{path}",
    st.sampled_from(["http", "https", "http", "https", "ftp", "HTTP"]),
    st.sampled_from(["", "", "", "", "", "u:p@"]),
    hosts | st.sampled_from(["127.0.0.1", "[::1]", "999.1.1.1", "[x]", "bücher.example", "a.test"]),
    st.sampled_from(["", ":80", ":8080", ":0", ":65536", ":x"])
    | st.integers(-5, 70000).map(lambda p: f":{p}"),
    st.text(_printable, max_size=20) | st.text(max_size=20),
)


@settings(max_examples=3000, deadline=None)
@given(urls | st.text(max_size=40))
def test_any_url_is_refused_with_the_rule_error_or_usable_by_httpx(url: str) -> None:
    try:
        check_callback_url(url)
    except InvalidSubscriptionError:
        return
    request = httpx.Request("POST", url)
    assert request.url.scheme in ("http", "https")
    assert request.url.host
    request.url.raw_path.decode("ascii")
    wire = yarl.URL(str(request.url))  # what the aiohttp transport parses for real receivers
    assert wire.host
    assert wire.port is not None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.text(alphabet=string.printable, max_size=40))
def test_any_accepted_verify_token_is_a_header_httpx_sends_unchanged(token: str) -> None:
    try:
        accepted = check_verify_token(token)
    except InvalidSubscriptionError:
        return
    if accepted:
        headers = httpx.Request("POST", "http://a.test/", headers={"X-Verify-Token": accepted}).headers
        assert headers["x-verify-token"] == accepted
