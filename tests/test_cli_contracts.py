from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flipdish_sim.contracts import build
from flipdish_sim.simulator.cli import main

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-order.created-webhook.recruiting.json"


def run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["contracts", *args], input=stdin)


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_recruiting_sample_is_ok_under_documented() -> None:
    result = run("validate", str(SAMPLE))
    assert (result.exit_code, result.stdout) == (0, "ok 1 order.created\n")


def test_recruiting_sample_fails_under_observed_naming_each_missing_field() -> None:
    result = run("validate", str(SAMPLE), "--profile", "observed")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "FAIL 1 order.created /Body/Order/Channel: 'Channel' is a required property" in lines
    assert "FAIL 1 order.created /Body/Order/TaxItems: 'TaxItems' is a required property" in lines
    assert (
        "FAIL 1 order.created /Body/Order/ServiceChargeAmount: 'ServiceChargeAmount' is a required property"
        in lines
    )
    assert "FAIL 1 order.created /Body/OrgId: 'OrgId' is a required property" in lines
    assert len(lines) == 40  # 39 missing members + DropOffLocation null where production sends a string
    assert all(line.startswith("FAIL 1 order.created /Body/") for line in lines)


def test_stdin_is_read_when_no_file_is_given() -> None:
    result = run("validate", stdin=SAMPLE.read_bytes())
    assert (result.exit_code, result.stdout) == (0, "ok 1 order.created\n")
    assert run("validate", "-", stdin=SAMPLE.read_bytes()).exit_code == 0


def test_json_lines_with_mixed_valid_and_invalid_payloads(tmp_path: Path) -> None:
    good = json.loads(SAMPLE.read_text("utf-8-sig"))
    bad = json.loads(SAMPLE.read_text("utf-8-sig"))
    bad["Body"]["Order"]["OrderId"] = "22779040"
    customer = {
        "Type": "customer.created",
        "CreateTime": "2020-11-01T10:00:00Z",
        "Body": {"User": {"UserId": 1}},
    }
    lines = [json.dumps(good), "", json.dumps(bad), json.dumps(customer), json.dumps({"Body": {}}), "[]"]
    capture = tmp_path / "capture.jsonl"
    capture.write_text("\n".join(lines) + "\n", "utf-8")
    result = run("validate", str(capture))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "ok 1 order.created",
        "FAIL 3 order.created /Body/Order/OrderId: '22779040' is not of type 'integer'",
        "ok 4 customer.created",
        "FAIL 5 ? /Type: payload has no 'Type' naming its event (a v3 body does not name its event): "
        "pass --event NAME",
        "FAIL 6 ? (root): payload is a JSON array, not an object; it cannot name its event",
    ]


def test_all_valid_json_lines_exit_zero(tmp_path: Path) -> None:
    payload = json.dumps(
        {"Type": "store.created", "CreateTime": "2020-11-01T10:00:00Z", "Body": {"StoreId": 1}}
    )
    capture = tmp_path / "ok.jsonl"
    capture.write_text(f"{payload}\n{payload}\n", "utf-8")
    result = run("validate", str(capture))
    assert (result.exit_code, result.stdout) == (0, "ok 1 store.created\nok 2 store.created\n")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (
            {"Type": 42, "CreateTime": "2020-11-01T10:00:00Z", "Body": {}},
            "FAIL 1 ? /Type: payload 'Type' is a JSON number",
        ),
        (
            {"Type": "order.creatd", "Body": {}},
            "FAIL 1 order.creatd /Type: unknown event 'order.creatd'; did you mean",
        ),
        ("just a string", "FAIL 1 ? (root): payload is a JSON string, not an object"),
    ],
)
def test_wrong_envelope_is_one_clear_fail_line(tmp_path: Path, content: object, line: str) -> None:
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(content), "utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(line)
    assert len(result.stdout.splitlines()) == 1
    _no_traceback(result)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty input"),
        (b"\xef\xbb\xbf\n", "empty input"),
        (b"<html>oops</html>", "line 1: not JSON"),
        (b'{"Type": "order.created"}\n{"Type": \n', "line 2: not JSON"),
        (b"\xff\xfe\x00\x00", "not UTF-8"),
    ],
)
def test_unreadable_input_exits_2_with_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert error.startswith(f"Error: {path}: ")
    assert message in error
    _no_traceback(result)


def test_missing_file_exits_2() -> None:
    result = run("validate", "/nonexistent/capture.jsonl")
    assert result.exit_code == 2
    assert "No such file or directory" in result.stderr
    _no_traceback(result)


def test_unknown_event_option_exits_2_with_suggestion() -> None:
    result = run("validate", str(SAMPLE), "--event", "order.creatd")
    assert result.exit_code == 2
    assert "Error: unknown event 'order.creatd'; did you mean 'order.created'?" in result.stderr
    _no_traceback(result)


def test_event_option_overrides_the_payload_type() -> None:
    result = run("validate", str(SAMPLE), "--event", "order.accepted")
    assert result.exit_code == 1
    assert result.stdout == "FAIL 1 order.accepted /Type: 'order.accepted' was expected\n"


def test_bad_profile_is_a_usage_error() -> None:
    result = run("validate", str(SAMPLE), "--profile", "strict")
    assert result.exit_code == 2
    assert "'strict' is not one of 'documented', 'observed'" in result.stderr


def test_v3_payload_with_event_and_shape(tmp_path: Path) -> None:
    body = {"orgId": "org1", "brandId": "b", "propertyId": "p", "salesChannelId": "s"}
    path = tmp_path / "v3.json"
    path.write_text(json.dumps(body), "utf-8")
    result = run("validate", str(path), "--event", "sales_channel.snoozed.v1")
    assert result.exit_code in (0, 1)
    assert all(line.split()[2] == "sales_channel.snoozed.v1" for line in result.stdout.splitlines())
    without_event = run("validate", str(path))
    assert without_event.exit_code == 1
    assert "pass --event NAME" in without_event.stdout
    event = {"source": "flipdish", "detail-type": "sales_channel.snoozed.v1", "detail": {}}
    path.write_text(json.dumps(event), "utf-8")
    shaped = run("validate", str(path), "--shape", "event")
    assert shaped.exit_code == 1
    assert shaped.stdout.splitlines()[0].startswith("FAIL 1 sales_channel.snoozed.v1 /detail/")


def test_build_check_passes_on_the_committed_schemas() -> None:
    result = run("build", "--check")
    assert result.exit_code == 0
    assert result.stdout.startswith("schemas up to date (285 files")


def test_build_check_exits_1_on_drift_and_build_repairs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(build.SCHEMAS_DIR, schemas)
    monkeypatch.setattr(build, "SCHEMAS_DIR", schemas)
    monkeypatch.setattr(build.write_files, "__defaults__", (schemas,))
    monkeypatch.setattr(build.drift, "__defaults__", (schemas,))
    (schemas / "observed" / "order.created.json").write_text("{}\n", "utf-8")
    (schemas / "documented" / "order.invented.json").write_text("{}\n", "utf-8")
    drifted = run("build", "--check")
    assert drifted.exit_code == 1
    assert drifted.stdout.splitlines()[:2] == [
        "drift: documented/order.invented.json",
        "drift: observed/order.created.json",
    ]
    rebuilt = run("build")
    assert rebuilt.exit_code == 0
    assert "(2 changed)" in rebuilt.stdout
    assert run("build", "--check").exit_code == 0
    assert not (schemas / "documented" / "order.invented.json").exists()


def test_diff_reports_changes_and_exits_1() -> None:
    result = run("diff", str(DATA / "spec-old.openapi.json"), str(DATA / "spec-new.openapi.json"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "~ Order.TableServiceCatagory: enum + Team" in lines
    assert "+ Order.ReceiptCode (string)" in lines
    assert "- StoreSummary.Foo" in lines
    assert lines[-2:] == ["affected events (1):", "  order.created: Order, StoreSummary, TaxItem"]


def test_diff_json_output() -> None:
    result = run("diff", str(DATA / "spec-old.openapi.json"), str(DATA / "spec-new.openapi.json"), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["events"] == {"order.created": ["Order", "StoreSummary", "TaxItem"]}
    assert len(document["changes"]) == 12


def test_diff_of_identical_specs_exits_0() -> None:
    spec = str(DATA / "spec-old.openapi.json")
    result = run("diff", spec, spec)
    assert (result.exit_code, result.stdout) == (0, "no differences\n")


@pytest.mark.parametrize(
    ("content", "message"), [(b"{nope", "line 1: not JSON"), (b"[]", "not an OpenAPI/Swagger document")]
)
def test_diff_of_unreadable_input_exits_2(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run("diff", str(DATA / "spec-old.openapi.json"), str(bad))
    assert result.exit_code == 2
    assert message in result.stderr
    _no_traceback(result)


def test_diff_of_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("diff", str(tmp_path / "absent.json"), str(DATA / "spec-old.openapi.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    _no_traceback(result)
