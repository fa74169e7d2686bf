"""The checks of Flipdish's Zod schemas that their JSON-schema conversion lost, put back into the contracts.

``@flipdish/events@1.26265.0`` (MIT) validates production bodies with Zod. zod-to-json-schema keeps
Zod's ``.regex``, ``.length``, ``.email`` and ``.uuid`` but drops every ``.refine``: the vendored
schemas say ``{"type": "string"}`` where Flipdish requires a time of day. Every refinement of a webhook
event schema in the package (found by walking the Zod schemas; the optional test
``tests/test_zod_schemas.py`` repeats the walk and fails if this table falls behind):

* ``zeus/common-schemas.ts`` ``DateTimeSchema``:
  ``!val || /\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}/.test(val)`` becomes ``pattern``
  :data:`DATE_TIME` (a JSON-schema ``pattern`` is an unanchored search, like ``test``).
* ``zeus/common-schemas.ts`` ``TimeSchema``: ``!val || /\\d{2}:\\d{2}:\\d{2}/.test(val)`` becomes
  :data:`TIME_OF_DAY` (``store.preorder_config.updated``'s ``CutOffTime*Basic``, opening hours).
* ``common/iso-country-code.ts`` ``isValidIso3166Alpha2`` (case-insensitive membership in its 250
  codes) becomes :data:`COUNTRY_CODE` (``menu.published.v1``, ``sale.*.v1`` delivery locations).
* ``rms/sales/schemas/sale.v1.2.ts``: ``deliveredBy: "Client"`` needs ``location``, ``dispatchType:
  "Delivery"`` needs ``delivery``. The contracts' keyword set has no ``if``/``then``; the hand-built sale
  example (``examples/_sale.py``) always satisfies both, and the Zod test proves it.

Pure: :func:`refine` copies a schema document and adds keywords at JSON paths, following local ``$ref``s.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import cast

from flipdish_sim.contracts._schema_walk import RefError, non_null_branches
from flipdish_sim.contracts._vendored import JSON, BuildError

__all__ = ["COUNTRY_CODE", "DATE_TIME", "GENERATOR_ONLY", "LEGACY", "TIME_OF_DAY", "V3", "refine"]

DATE_TIME = r"^$|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
TIME_OF_DAY = r"^$|\d{2}:\d{2}:\d{2}"

_ISO_3166_ALPHA_2 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
""".split()  # noqa: SIM905 - 250 codes read better as text


def _country_pattern(codes: list[str]) -> str:
    """``^(?:[Aa][DdEe...]|...)$``: one of ``codes`` in any case, as ``isValidIso3166Alpha2`` accepts."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(code[0], []).append(code[1])
    either = "".join  # [Aa] for "A"
    parts = [f"[{a}{a.lower()}][{either(b + b.lower() for b in seconds)}]" for a, seconds in groups.items()]
    return f"^(?:{'|'.join(parts)})$"


COUNTRY_CODE = _country_pattern(_ISO_3166_ALPHA_2)

_DATE: JSON = {"pattern": DATE_TIME}
_TIME: JSON = {"pattern": TIME_OF_DAY}
_COUNTRY: JSON = {"pattern": COUNTRY_CODE}
_HOURS = ("Early/StartTime", "Late/StartTime", "Period", "PeriodEarly", "Ranges/*/StartTime", "StartTime")
_STORE_HOURS: dict[str, JSON] = {
    f"/Store/{which}/*/{field}": _TIME
    for which in ("DeliveryHours", "PickupHours")
    for field in (*_HOURS, "StartTimeEarly")
}
_MENU: dict[str, JSON] = {"/Menu/ModifiedTime": _DATE}
_OVERRIDE: dict[str, JSON] = {f"/BusinessHoursOverride/{end}Time": _DATE for end in ("Start", "End")}
_VOUCHER: dict[str, JSON] = {"/Voucher/ExpiryDate": _DATE, "/Voucher/StartDate": _DATE}
_PHONE_CALL: dict[str, JSON] = {"/PhoneCall/TimeOfCall": _DATE, "/PhoneCall/TimeOfCallLocal": _DATE}

LEGACY: dict[str, dict[str, JSON]] = {
    "cardreaders.kiosk.bluetooth.updated": {"/BluetoothTerminalStatus/UpdateTime": _DATE},
    "menu.async_creation.completed": _MENU,
    "menu.created": _MENU,
    "menu.updated": _MENU,
    "menu_checkpoint.created": _MENU,
    "phone_call.ended": _PHONE_CALL,
    "phone_call.started": _PHONE_CALL,
    "store.business_hours_override.created": _OVERRIDE,
    "store.business_hours_override.deleted": _OVERRIDE,
    "store.fee_config.updated": {"/StoreFeeConfig/StartTime": _DATE},
    "store.opening_hours.updated": {
        f"/{period}/{field}": _TIME
        for period in ("BusinessHoursPeriod", "BusinessHoursPeriodOld")
        for field in (*_HOURS, "StartTimeEarly")
    },
    "store.preorder_config.updated": {
        f"/{config}/{field}": _TIME
        for config in ("PreOrderConfig", "OldPreOrderConfig")
        for field in ("CutOffTimeCurrentDayBasic", "CutOffTimePreviousDayBasic")
    },
    **{
        f"store.{event}": _STORE_HOURS
        for event in ("archived", "created", "published", "unarchived", "unpublished", "updated")
    },
    "voucher.created": _VOUCHER,
    "voucher.updated": _VOUCHER,
}
"""Legacy event name -> JSON path in the observed ``Body`` (``*`` = every array item) -> added keywords."""

_SALE_COUNTRY: dict[str, JSON] = {"/detail/properties/sale/delivery/location/countryCode": _COUNTRY}
V3: dict[str, dict[str, JSON]] = {
    "menu.published.v1": {"/detail/properties/propertyCountryCode": _COUNTRY},
    "sale.accepted.v1": _SALE_COUNTRY,
    "sale.created.v1": _SALE_COUNTRY,
    "sale.updated.v1": _SALE_COUNTRY,
}
"""v3 event type -> JSON path in the whole event object -> added keywords."""

GENERATOR_ONLY: dict[str, tuple[str, ...]] = dict.fromkeys(
    ("sale.accepted.v1", "sale.created.v1", "sale.updated.v1"),
    ("/detail/properties/sale", "/detail/properties/sale/delivery"),
)
"""Zod's conditional requirements (``delivery`` for a Delivery sale, ``location`` when the restaurant
delivers): not expressible without ``if``/``then``, so only the hand-built sale example carries them."""


def _branches(root: JSON, node: JSON) -> list[JSON]:
    """The non-null alternatives of ``node``, ``$ref``s followed: the very objects, to refine in place."""
    try:
        return cast(list[JSON], non_null_branches(node, root))
    except RefError as err:
        raise BuildError(str(err)) from err


def _targets(root: JSON, node: JSON, parts: list[str], where: str) -> list[JSON]:
    if not parts:
        return _branches(root, node)
    found: list[JSON] = []
    for branch in _branches(root, node):
        if parts[0] == "*":
            child = branch.get("items")
        else:
            child = cast(JSON, branch.get("properties", {})).get(parts[0])
        if isinstance(child, dict):
            found += _targets(root, child, parts[1:], where)
    if not found:
        raise BuildError(f"{where}: no schema at {'/'.join(parts)!r}")
    return found


def refine(schema: JSON, paths: Mapping[str, JSON], where: str) -> JSON:
    """A copy of ``schema`` with ``paths[path]``'s keywords added to the string schema at each path."""
    out = copy.deepcopy(schema)
    for path, keywords in paths.items():
        for target in _targets(out, out, path.strip("/").split("/"), f"{where} {path}"):
            types = target.get("type")
            if "string" not in (types if isinstance(types, list) else [types]):
                raise BuildError(f"{where} {path}: a refinement of a non-string schema")
            target.update(keywords)
    return out
