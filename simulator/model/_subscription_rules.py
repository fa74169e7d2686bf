"""What a subscription may hold: one rule, called wherever subscription data enters.

The server API (``400`` with a Flipdish-style error), the command line (one ``Error:`` line, exit 2),
scenario files and :meth:`Sender.add_subscription` / :meth:`Sender.update_subscription` all call
:func:`check_subscription` (or one of the field checks below). A value accepted here can be stored in the
log, put on the wire and shown on a page; anything else is refused where it enters, so it never reaches
the delivery loop. Pure: no I/O, no clock.

Rules (assumptions where Flipdish publishes nothing; see the README's fidelity table):

* callback URL: ``http``/``https``, at most 2,048 characters, no whitespace or control characters, no
  user information (``user:pass@``); a host that is an IP address or a DNS name whose IDNA form has
  labels of 1-63 characters (letters, digits, ``-``, ``_``) and at most 253 characters in all; an
  ``xn--`` label must decode; a port, if given, in 1-65535;
* verify token: printable ASCII (it travels as the ``X-Verify-Token`` header), no leading or trailing
  space, at most 1,024 characters; empty means "no token";
* v3 secret: 1-1,024 printable characters, no control characters, no surrounding whitespace;
* version: 1-64 printable characters;
* event names: in the catalogue, of the subscription's family; none at all is allowed (Flipdish's API
  creates a subscription first and adds its event names one by one).

Messages name the field and what is wrong, never a token's or secret's value.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

import idna

from flipdish_sim.contracts.catalogue import get_event
from flipdish_sim.errors import UsageError

__all__ = [
    "MAX_SECRET_LENGTH",
    "MAX_TOKEN_LENGTH",
    "MAX_URL_LENGTH",
    "MAX_VERSION_LENGTH",
    "InvalidSubscriptionError",
    "check_callback_url",
    "check_event_names",
    "check_secrets",
    "check_subscription",
    "check_verify_token",
    "check_version",
]

MAX_URL_LENGTH = 2048
MAX_TOKEN_LENGTH = 1024
MAX_SECRET_LENGTH = 1024
MAX_VERSION_LENGTH = 64
_MAX_HOST = 253
_MAX_LABEL = 63
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_CODES = {
    "CallbackUrl": "invalid_callback_url",
    "VerifyToken": "invalid_verify_token",
    "Secrets": "invalid_secret",
    "Version": "invalid_version",
    "EventNames": "invalid_event_names",
}


class InvalidSubscriptionError(UsageError):
    """A subscription field the sender cannot use; ``field`` is its Flipdish name (``CallbackUrl``, ...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    @property
    def code(self) -> str:
        """The server's ``errorCode`` for this field (``invalid_callback_url``, ...)."""
        return _CODES.get(self.field, "invalid_subscription")


def _shown(value: str, size: int = 80) -> str:
    """``value`` for a message: quoted and escaped (no control or surrogate character reaches a terminal)."""
    return repr(value if len(value) <= size else value[:size] + "…")


def _bad_character(text: str) -> tuple[int, str] | None:
    """The first character no subscription field may hold: control, surrogate, format, or line break."""
    for index, char in enumerate(text):
        if unicodedata.category(char) in ("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp"):
            return index, f"U+{ord(char):04X}"
    return None


def check_callback_url(url: object) -> str:
    """``url`` when the sender can POST to it; else :class:`InvalidSubscriptionError` saying why."""

    def refuse(why: str) -> InvalidSubscriptionError:
        shown = _shown(url) if isinstance(url, str) else type(url).__name__
        return InvalidSubscriptionError("CallbackUrl", f"invalid callback URL {shown}: {why}")

    if not isinstance(url, str) or not url:
        raise refuse("expected a non-empty string")
    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"{len(url)} characters; the limit is {MAX_URL_LENGTH}")
    bad = _bad_character(url)
    if bad is not None or any(char.isspace() for char in url):
        where = f"a character that cannot be sent ({bad[1]}) at {bad[0]}" if bad else "whitespace"
        raise refuse(f"it holds {where}; percent-encode it")
    try:
        parts = urlsplit(url)
    except ValueError as err:
        raise refuse(str(err)) from err
    try:
        port = parts.port
    except ValueError as err:
        text = parts.netloc.rpartition(":")[2]
        raise refuse(
            f"port {text} is not in 1-65535" if text.isdigit() else f"port {_shown(text)} is not a number"
        ) from err
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise refuse("use http:// or https:// with a host")
    if "@" in parts.netloc:  # the message leaves the URL out: it holds a password
        raise InvalidSubscriptionError(
            "CallbackUrl",
            "invalid callback URL: user information (user:password@) in the host part is not sent"
            " by Flipdish; remove it",
        )
    if port is not None and not 0 < port < 65536:
        raise refuse(f"port {port} is not in 1-65535")
    why = _host_problem(parts.hostname or "", bracketed=parts.netloc.startswith("["))
    if why is not None:
        raise refuse(why)
    return url


def _host_problem(host: str, *, bracketed: bool) -> str | None:
    """Why ``host`` (lower-cased, without brackets) cannot be connected to; None when it can."""
    if not host:
        return "use http:// or https:// with a host"
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"{_shown(host)} is not an IPv6 address"
        return None
    if all(part.isdigit() for part in host.split(".")) and host.isascii():
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{_shown(host)} is not an IPv4 address"
        return None
    return _name_problem(host)


def _name_problem(host: str) -> str | None:
    """Why the DNS name ``host`` is not usable (IDNA, label and length limits); None when it is.

    A name with any non-ASCII character is encoded whole with IDNA 2008, as httpx encodes it for the
    request; an ASCII name is used as it is (``_`` allowed, as in container names)."""
    name = host[:-1] if host.endswith(".") else host
    if not name.isascii():
        try:
            name = idna.encode(name).decode("ascii")
        except (idna.IDNAError, UnicodeError) as err:
            return f"host {_shown(host)} is not a valid international name ({err})"
    for label in name.split("."):
        if not label:
            return f"host {_shown(host)} has an empty label"
        if len(label) > _MAX_LABEL:
            return f"host label {_shown(label, 20)} is {len(label)} characters; the limit is 63"
        if not set(label) <= _LDH:
            return f"host {_shown(host)} may hold only letters, digits, '-', '_' and '.'"
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as err:
                return f"host label {_shown(label)} is not a valid international name ({err})"
    if len(name) > _MAX_HOST:
        return f"host is {len(name)} characters; the limit is {_MAX_HOST}"
    return None


def check_verify_token(token: object) -> str | None:
    """``token`` when it can travel as the ``X-Verify-Token`` header (None or "" mean no token)."""
    if token is None:
        return None
    if not isinstance(token, str):
        raise InvalidSubscriptionError("VerifyToken", "the verify token must be a string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidSubscriptionError(
            "VerifyToken", f"the verify token is {len(token)} characters; the limit is {MAX_TOKEN_LENGTH}"
        )
    for index, char in enumerate(token):
        if not " " <= char <= "~":
            raise InvalidSubscriptionError(
                "VerifyToken",
                f"the verify token holds U+{ord(char):04X} at position {index}: it is sent as the"
                " X-Verify-Token header, so only printable ASCII characters are allowed",
            )
    if token != token.strip():
        raise InvalidSubscriptionError(
            "VerifyToken", "the verify token starts or ends with a space (HTTP would drop it)"
        )
    return token


def check_secrets(secrets: Iterable[object]) -> tuple[str, ...]:
    """Each v3 signing secret: 1-1,024 printable characters, nothing around it."""
    keys: list[str] = []
    for number, secret in enumerate(secrets, 1):
        if not isinstance(secret, str) or not secret:
            raise InvalidSubscriptionError("Secrets", f"secret {number} is empty or not a string")
        if len(secret) > MAX_SECRET_LENGTH:
            raise InvalidSubscriptionError(
                "Secrets", f"secret {number} is {len(secret)} characters; the limit is {MAX_SECRET_LENGTH}"
            )
        bad = _bad_character(secret)
        if bad is not None:
            raise InvalidSubscriptionError(
                "Secrets", f"secret {number} holds an unprintable character ({bad[1]}) at position {bad[0]}"
            )
        if secret != secret.strip():
            raise InvalidSubscriptionError("Secrets", f"secret {number} starts or ends with whitespace")
        keys.append(secret)
    return tuple(keys)


def check_version(version: object) -> str | None:
    """A subscription ``Version`` (a free string at Flipdish, e.g. ``2.0``): 1-64 printable characters."""
    if version is None:
        return None
    if not isinstance(version, str) or not version.strip():
        raise InvalidSubscriptionError("Version", "Version must be a non-empty string")
    if len(version) > MAX_VERSION_LENGTH:
        raise InvalidSubscriptionError(
            "Version", f"Version is {len(version)} characters; the limit is {MAX_VERSION_LENGTH}"
        )
    bad = _bad_character(version)
    if bad is not None:
        raise InvalidSubscriptionError(
            "Version", f"Version holds an unprintable character ({bad[1]}) at position {bad[0]}"
        )
    return version


def check_event_names(names: Iterable[object], family: str) -> tuple[str, ...]:
    """Every name in the catalogue and of the subscription's ``family``."""
    checked: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise InvalidSubscriptionError("EventNames", "event names must be strings")
        spec = get_event(name)  # UnknownEventError (a UsageError) for a name not in the catalogue
        if spec.family.value != family:
            raise InvalidSubscriptionError(
                "EventNames", f"{name!r} is a {spec.family.value} event; this subscription is {family}"
            )
        checked.append(name)
    return tuple(checked)


def check_subscription(
    *,
    callback_url: object,
    family: str,
    event_names: Iterable[object],
    verify_token: object = None,
    secrets: Iterable[object] = (),
    version: object = None,
) -> None:
    """Every field of one subscription; the first problem raises :class:`InvalidSubscriptionError`."""
    if family not in ("legacy", "v3"):
        raise UsageError(f"family must be legacy or v3, got {family!r}")
    check_callback_url(callback_url)
    check_event_names(event_names, family)
    check_verify_token(verify_token)
    keys = check_secrets(secrets)
    if family == "v3" and not keys:
        raise InvalidSubscriptionError("Secrets", "a v3 subscription needs at least one signing secret")
    check_version(version)
