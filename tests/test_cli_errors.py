"""Every bad input of the commands is exactly one line, ``Error: ...``, exit 2, and leaves no log behind.

A sample per command: unknown event, unreadable / non-JSON / empty payload, malformed scenario, invalid
URL, missing secret variable, a ``--db`` of another application or schema. Files named by ``--db`` that
are not flipdish-sim logs are left byte for byte as they were.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV
from flipdish_sim.simulator.log._store import APPLICATION_ID

URL = "http://127.0.0.1:9/hooks"
TOKEN = "tok-0123456789abcdef"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Bad inputs: payloads, scenarios and would-be logs of every wrong kind."""
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "latin1.json").write_bytes(b'{"a": "\xe9"}')
    deep = '{"Type": "order.created", "Body": ' + '{"a": ' * 1000 + "1" + "}" * 1001
    (tmp_path / "deep.json").write_text(deep)
    (tmp_path / "deep100.json").write_text('{"Type": "order.created", "Body": ' + "[" * 100 + "]" * 100 + "}")
    (tmp_path / "nan.json").write_text('{"Type": "order.created", "Body": {"Amount": NaN}}')
    (tmp_path / "huge.json").write_text('{"Type": "order.created", "Body": {"Amount": 1e999999}}')
    (tmp_path / "surrogate.json").write_text('{"Type": "order.created", "Body": {"Note": "\\ud800"}}')
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "typo.yaml").write_text("subscription: {}\nevents: [{event: order.creatd}]\n")
    (tmp_path / "loop.yaml").write_text("a: &a [*a]\n")
    (tmp_path / "zero.yaml").write_text(
        "subscription: {}\nevents: [{event: order.created, rate: 0/second}]\n"
    )
    (tmp_path / "random.db").write_bytes(b"\xff\xfe not sqlite at all" * 10)
    # closing(): a sqlite3 connection used as a context manager commits but does not close (3.13 warns)
    with closing(sqlite3.connect(tmp_path / "foreign.db")) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    # a flipdish-sim log of a later schema version
    with closing(sqlite3.connect(tmp_path / "future.db")) as db:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 99")
        db.execute("CREATE TABLE t (a)")
    return tmp_path


CASES: list[tuple[str, str]] = [
    # send
    ("send order.creatd --url {URL}", "unknown event 'order.creatd'"),
    ("send order.created --url not-a-url", "invalid callback URL"),
    ("send order.created --url http://127.0.0.1:99999/x", "port 99999"),
    ("send order.created --url {URL} --payload {D}/nope.json", "cannot read payload"),
    ("send order.created --url {URL} --payload {D}/empty.json", "is not JSON"),
    ("send order.created --url {URL} --payload {D}/bad.json", "is not JSON"),
    ("send order.created --url {URL} --payload {D}/latin1.json", "is not JSON"),
    ("send order.created --url {URL} --payload {D}/list.json", "not an object"),
    ("send order.created --url {URL} --payload {D}/deep.json", "nested deeper than 64 levels"),
    ("send order.created --url {URL} --payload {D}/deep100.json", "nested deeper than 64 levels"),
    ("send order.created --url {URL} --payload {D}/nan.json", "NaN is not a JSON number"),
    ("send order.created --url {URL} --payload {D}/huge.json", "out of range"),
    ("send order.created --url {URL} --payload {D}/surrogate.json", "lone surrogate"),
    ("send sale.created.v1 --url {URL}", f"set {SECRET_ENV}"),
    ("send order.created --url {URL} --db {D}/foreign.db", "another application"),
    ("send order.created --url {URL} --db {D}/random.db", "not an SQLite file"),
    ("send order.created --url {URL} --db {D}/future.db", "schema version 99"),
    ("send order.created --url {URL} --seed x", "'x' is not a valid integer"),
    # run
    ("run nope --url {URL} --db {D}/new.db", "no built-in scenario 'nope'"),
    ("run {D}/typo.yaml --url {URL} --db {D}/new.db", "typo.yaml:2: events[0].event: unknown event"),
    ("run {D}/empty.yaml --url {URL} --db {D}/new.db", "a scenario is a mapping"),
    ("run {D}/loop.yaml --url {URL} --db {D}/new.db", "loop.yaml:1: a[0]: an alias that contains itself"),
    ("run {D}/zero.yaml --url {URL} --db {D}/new.db", "zero.yaml:2: events[0].rate"),
    ("run {D}/random.db --url {URL} --db {D}/new.db", "cannot read scenario"),
    ("run order-lifecycle --url ftp://x --db {D}/new.db", "invalid callback URL"),
    ("run order-lifecycle --url {URL} --db {D}/foreign.db", "another application"),
    ("run order-lifecycle --url {URL} --db {D}/random.db", "not an SQLite file"),
    ("run order-lifecycle --url {URL} --db {D}/future.db", "schema version 99"),
    # scenarios
    ("scenarios show ../etc/passwd", "no built-in scenario"),
    ("scenarios nope", "No such command 'nope'"),
    # logs
    ("logs export --db {D}/foreign.db", "another application"),
    ("logs export --db {D}/empty.json", "is empty, not a flipdish-sim log"),
    ("logs export --db {D}/nope.db", "does not exist"),
    ("logs export --db {D}/random.db --format xml", "'xml' is not one of"),
    # subscriptions
    ("subscriptions list --db {D}/random.db", "not an SQLite file"),
    ("subscriptions enable 1 --db {D}/future.db", "schema version 99"),
    ("subscriptions disable one --db {D}/foreign.db", "'one' is not a valid integer"),
    # events
    ("events show order.creatd", "unknown event 'order.creatd'"),
    ("events example order.created --seed x", "'x' is not a valid integer"),
    # contracts
    ("contracts validate {D}/empty.json", "empty input"),
    ("contracts validate {D}/bad.json", "not JSON"),
    ("contracts validate {D}/list.json --event order.creatd", "unknown event"),
    ("contracts validate {D}/deep.json", "nested deeper than 64 levels"),
    ("contracts validate {D}/deep100.json", "nested deeper than 64 levels"),
    ("contracts validate {D}/nan.json", "NaN is not a JSON number"),
    ("contracts validate {D}/surrogate.json", "lone surrogate"),
    ("contracts diff {D}/empty.json {D}/bad.json", "not JSON"),
    ("contracts diff {D}/deep.json {D}/nan.json", "nested deeper than 64 levels"),
    # conformance
    ("conformance --url not-a-url", "absolute http(s) URL"),
    ("conformance --url http://127.0.0.1:99999/x", "port 99999"),
    ("conformance --url {URL} --events order.creatd", "unknown event"),
    ("conformance --url {URL} --secret s --family legacy", "--secret signs v3"),
    ("conformance --app no_such_module:app", "cannot import module"),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[c for c, _ in CASES])
def test_bad_input_is_one_error_line_exit_2_and_no_log_written(
    files: Path, command: str, expected: str
) -> None:
    before = {path.name: path.read_bytes() for path in files.iterdir()}
    args = command.format(URL=URL, D=files).split()
    env: dict[str, str | None] = {VERIFY_TOKEN_ENV: TOKEN, SECRET_ENV: None}
    result = CliRunner().invoke(main, args, env=env)
    output = (result.stdout + result.stderr).strip()
    assert result.exit_code == 2, output
    assert output.startswith("Error: ")
    assert len(output.splitlines()) == 1, output
    assert expected in output
    after = {path.name: path.read_bytes() for path in files.iterdir()}
    assert after == before, "bad input must neither create nor change a file"


#: Issue 10: subscription values the sender cannot use, given on the command line (list form: no split).
BAD_SUBSCRIPTION_ARGS: list[tuple[list[str], str]] = [
    (["send", "order.created", "--url", "http://xn--/x"], "not a valid international name"),
    (["send", "order.created", "--url", "http://user:s3cr3t@127.0.0.1:9/"], "user information"),
    (["send", "order.created", "--url", "http://" + "a" * 64 + ".test/"], "the limit is 63"),
    (["send", "order.created", "--url", "http://127.0.0.1:9/\ud800"], "U+D800"),
    (["send", "order.created", "--url", URL, "--verify-token", "café"], "U+00E9"),
    (["send", "order.created", "--url", URL, "--verify-token", "a\r\nX-Injected: 1"], "U+000D"),
    (["send", "sale.created.v1", "--url", URL, "--secret", "a\x00b"], "secret 1"),
    (["run", "order-lifecycle", "--url", "http://xn--/x", "--db", "{D}/new.db"], "international name"),
    (["load", "--url", "http://user:s3cr3t@127.0.0.1:9/"], "user information"),
    (["load", "--url", URL, "--verify-token", "café"], "U+00E9"),
    (["conformance", "--url", URL, "--verify-token", "café"], "U+00E9"),
    (["conformance", "--url", URL, "--family", "v3", "--secret", "a\x00b"], "secret 1"),
]


@pytest.mark.parametrize(
    ("args", "expected"), BAD_SUBSCRIPTION_ARGS, ids=[" ".join(a) for a, _ in BAD_SUBSCRIPTION_ARGS]
)
def test_a_subscription_value_the_sender_cannot_use_is_one_error_line_exit_2(
    files: Path, args: list[str], expected: str
) -> None:
    before = {path.name: path.read_bytes() for path in files.iterdir()}
    argv = [arg.replace("{D}", str(files)) for arg in args]
    result = CliRunner().invoke(main, argv, env={VERIFY_TOKEN_ENV: TOKEN, SECRET_ENV: None})
    output = (result.stdout + result.stderr).strip()
    assert result.exit_code == 2, output
    assert output.startswith("Error: ")
    assert len(output.splitlines()) == 1, output
    assert expected in output
    assert "s3cr3t" not in output
    assert "café" not in output
    assert {path.name: path.read_bytes() for path in files.iterdir()} == before


def test_a_missing_verify_token_variable_is_one_line(files: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["run", "order-lifecycle", "--url", URL, "--db", str(files / "new.db")],
        env={VERIFY_TOKEN_ENV: None},
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: order-lifecycle:10: subscription.verify_token_env: environment variable {VERIFY_TOKEN_ENV}"
        " is not set (secrets are never inline)"
    ]
    assert not (files / "new.db").exists()


def test_an_export_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    CliRunner().invoke(main, ["send", "order.created", "--url", URL, "--db", str(db)])
    assert db.exists()
    out = tmp_path / "no-such-dir" / "out.jsonl"
    result = CliRunner().invoke(main, ["logs", "export", "--db", str(db), "--output", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot write")
    assert len(result.stderr.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["logs", "export", "--db", str(db), "--subscription", "99"])
    assert result.exit_code == 2
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize("name", ["no\nsuch.json", "no\x85such.json", "no\rsuch.json", "x" * 5000])
def test_a_file_name_with_a_line_break_still_gives_one_error_line(tmp_path: Path, name: str) -> None:
    """User text inside a message (here a file name) is shown escaped: the message stays one line."""
    result = CliRunner().invoke(
        main,
        ["send", "order.created", "--url", URL, "--payload", str(tmp_path / name)],
        env={SECRET_ENV: None},
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: cannot read payload")


@pytest.mark.parametrize(
    ("env", "yaml", "expected"),
    [
        ({VERIFY_TOKEN_ENV: "café"}, None, "subscription.verify_token_env: the verify token holds U+00E9"),
        ({VERIFY_TOKEN_ENV: "a\r\nb"}, None, "subscription.verify_token_env: the verify token holds U+000D"),
        (
            {},
            "subscription: {callback_url: 'http://xn--/x'}\nevents: [{event: order.created}]\n",
            "subscription.callback_url: invalid callback URL 'http://xn--/x'",
        ),
        (
            {},
            "subscription: {callback_url: 'http://u:s3cr3t@h.test/'}\nevents: [{event: order.created}]\n",
            "subscription.callback_url: invalid callback URL: user information",
        ),
        ({}, "subscription: {version: ''}\nevents: [{event: order.created}]\n", "subscription.version"),
    ],
)
def test_a_scenario_s_bad_subscription_value_is_one_line_and_no_log(
    tmp_path: Path, env: dict[str, str], yaml: str | None, expected: str
) -> None:
    scenario = "order-lifecycle"
    if yaml is not None:
        (tmp_path / "s.yaml").write_text(yaml)
        scenario = str(tmp_path / "s.yaml")
    args = ["run", scenario, "--db", str(tmp_path / "new.db")] + (["--url", URL] if yaml is None else [])
    result = CliRunner().invoke(main, args, env={VERIFY_TOKEN_ENV: TOKEN, SECRET_ENV: None, **env})
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "s3cr3t" not in lines[0]
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["subscriptions", "enable", str(2**63)],
        ["subscriptions", "disable", "9" * 30],
        ["logs", "export", "--subscription", str(2**63)],
    ],
)
def test_an_id_beyond_the_log_s_range_is_one_error_line(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "log.db"
    CliRunner().invoke(main, ["send", "order.created", "--url", URL, "--db", str(db)])
    before = db.read_bytes()
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "is not in the range 1<=x<=9223372036854775807" in lines[0]
    assert db.read_bytes() == before
