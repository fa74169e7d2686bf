"""The project's metadata tells the truth: README and docs links work on a package index, classifiers match
tox."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {
    path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
    for path in [*sorted(ROOT.glob("docs/*.md")), ROOT / "CONTRIBUTING.md"]
}
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_links_are_absolute_so_they_work_on_a_package_index() -> None:
    relative = [link for link in LINK.findall(README) if not link.startswith(("https://", "http://", "#"))]
    assert relative == []


def _check_repository_links(text: str) -> int:
    source = PROJECT["urls"]["Source"]
    ours = [link for link in LINK.findall(text) if link.startswith(source + "/")]
    for link in ours:
        kind, branch, path = link.removeprefix(source + "/").split("/", 2)
        assert (kind, branch) in {("blob", "main"), ("tree", "main")}, link
        target = ROOT / path.split("#", 1)[0]
        assert target.is_file() if kind == "blob" else target.is_dir(), link
    return len(ours)


def test_readme_links_into_the_repository_name_files_that_exist() -> None:
    assert _check_repository_links(README), "the README links to docs/ and examples/"


@pytest.mark.parametrize("name", sorted(DOCS))
def test_docs_links_are_absolute_or_anchors_and_name_files_that_exist(name: str) -> None:
    links = LINK.findall(DOCS[name])
    relative = [link for link in links if not link.startswith(("https://", "http://", "#"))]
    assert relative == []
    _check_repository_links(DOCS[name])


def test_the_classifiers_name_exactly_the_pythons_tox_tests() -> None:
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    envs = {env.strip() for env in tox["tox"]["env_list"].split(",")}
    tested = {f"3.{env[3:]}" for env in envs if re.fullmatch(r"py3\d+", env)}
    prefix = "Programming Language :: Python :: "
    claimed = {c.removeprefix(prefix) for c in PROJECT["classifiers"] if re.fullmatch(prefix + r"3\.\d+", c)}
    assert claimed == tested == {"3.11", "3.12", "3.13"}
    assert PROJECT["requires-python"] == ">=3.11"
