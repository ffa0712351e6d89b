"""The tree file: the shipped one loads; a bad one is refused naming the bad node."""

from __future__ import annotations

import copy

import pytest
import yaml

from isoc.resilience import tree

SHIPPED = yaml.safe_load(tree.DEFAULT_CONFIG.read_text())


def test_the_shipped_tree_loads():
    t = tree.load()
    assert t.version == "2026.1"
    assert [p.name for p in t.pillars] == ["Infrastructure", "Performance", "Security", "Market Readiness"]
    codes = [i.code for i in t.indicators()]
    assert len(codes) == len(set(codes)) >= 15
    assert {"ixps", "domains", "data-centres"} <= {i.code for i in t.indicators() if i.per_capita}
    assert not t.indicator("fixed-latency").higher_is_better


def _broken(change):
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def _indicator(data, p=1, d=0, i=1):
    return data["pillars"][p]["dimensions"][d]["indicators"][i]


@pytest.mark.parametrize(("change", "path", "words"), [
    (lambda d: _indicator(d).update(weight=0), "pillars[1].dimensions[0].indicators[1].weight", "positive"),
    (lambda d: _indicator(d).update(weight=-2), "pillars[1].dimensions[0].indicators[1].weight", "positive"),
    (lambda d: _indicator(d).update(weight="heavy"), "pillars[1].dimensions[0].indicators[1].weight", "expected"),
    (lambda d: d["pillars"][2]["dimensions"][1].update(weight=0), "pillars[2].dimensions[1].weight", "positive"),
    (lambda d: _indicator(d).update(code="fixed-download"), "pillars[1].dimensions[0].indicators[1].code", "already used at pillars[1].dimensions[0].indicators[0]"),
    (lambda d: _indicator(d).update(code="Bad Code"), "pillars[1].dimensions[0].indicators[1].code", "not a code"),
    (lambda d: _indicator(d).update(code="population"), "pillars[1].dimensions[0].indicators[1].code", "reserved"),
    (lambda d: _indicator(d).update(source="guesswork"), "pillars[1].dimensions[0].indicators[1].source", "unknown source"),
    (lambda d: _indicator(d).pop("higher_is_better"), "pillars[1].dimensions[0].indicators[1].higher_is_better", "missing"),
    (lambda d: _indicator(d).update(higher_is_better="yes"), "pillars[1].dimensions[0].indicators[1].higher_is_better", "expected bool"),
    (lambda d: d["pillars"][0]["dimensions"][0].update(indicators=[]), "pillars[0].dimensions[0].indicators", "empty"),
    (lambda d: d["pillars"].pop(), "pillars", "4 pillars"),
    (lambda d: d.pop("version"), "version", "missing"),
])
def test_a_bad_node_is_named(change, path, words):
    with pytest.raises(tree.ConfigError) as err:
        tree.parse(_broken(change))
    assert err.value.path == path
    assert words in str(err.value)


def test_a_world_bank_source_is_known():
    data = _broken(lambda d: _indicator(d).update(source="worldbank:IT.CEL.SETS.P2"))
    assert tree.parse(data).indicator("fixed-latency").source == "worldbank:IT.CEL.SETS.P2"


def test_unreadable_files(tmp_path):
    with pytest.raises(tree.ConfigError, match="cannot read"):
        tree.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("pillars: [unclosed")
    with pytest.raises(tree.ConfigError, match="not valid YAML"):
        tree.load(bad)
    bad.write_text("- a list")
    with pytest.raises(tree.ConfigError, match="mapping"):
        tree.load(bad)


def test_every_name_and_unit_of_the_shipped_tree_is_marked_for_translation():
    from isoc.resilience.labels import NAMES

    marked = set(NAMES)
    t = tree.load()
    names = {p.name for p in t.pillars} | {d.name for d in t.dimensions()} | {i.name for i in t.indicators()}
    units = {i.unit for i in t.indicators() if i.unit}
    assert names | units <= marked, sorted((names | units) - marked)
