"""The cost planner's core: one community computed by hand, refusals, properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.infra import planner


def test_a_small_flat_village_by_hand():
    # 100 households, 60 % take-up → 60 connected; 2 km² flat (3 km² a node) but 40
    # households a node → 2 nodes; 60 × 10 Mb/s ÷ 20 = 30 Mb/s → one 300 Mb/s microwave link.
    p = planner.plan(planner.community(100, "2", "flat", "microwave", "0.6"))
    assert (p.connected_households, p.nodes, p.backhaul_units, p.technicians) == (60, 2, 1, 1)
    capital = {x.key: x.amount for x in p.capital}
    assert capital == {"nodes_equipment": Decimal("900.00"), "nodes_installation": Decimal("400.00"),
                       "solar": Decimal("550.00"), "households": Decimal("5700.00"), "core": Decimal("1800.00"),
                       "backhaul_setup": Decimal("3500.00")}
    assert p.capital_total == Decimal("12850.00")
    # Maintenance: a tenth a year of the equipment (900 + 550 + 1800 + 60 × 70 = 7450) → 62.08 a month.
    assert {x.key: x.amount for x in p.monthly} == {"backhaul": Decimal("200.00"), "maintenance": Decimal("62.08"),
                                                    "staff": Decimal("250.00"), "power": Decimal("12.00")}
    assert p.monthly_total == Decimal("524.08")
    assert p.amortised_capital_monthly == Decimal("214.17")  # 12850 ÷ 60 months
    assert p.monthly_per_household == Decimal("12.30")  # (214.17 + 524.08) ÷ 60


def test_terrain_and_backhaul_change_what_they_should():
    flat = planner.plan(planner.community(1000, 20, "flat", "leo_satellite", 1))
    hilly = planner.plan(planner.community(1000, 40, "mountainous", "leo_satellite", 1))
    assert hilly.nodes > flat.nodes and hilly.capital_total > flat.capital_total
    # 1000 × 10 ÷ 20 = 500 Mb/s: four 150 Mb/s terminals, or one fibre port.
    assert flat.backhaul_units == 4
    assert planner.plan(planner.community(1000, 20, "flat", "fibre", 1)).backhaul_units == 1


def test_the_plan_names_the_assumptions_it_used():
    p = planner.plan(planner.community(50, 1, "dense_forest", "geo_satellite"))
    keys = {a.key for a in p.used}
    assert {"terrain.dense_forest.coverage_km2", "backhaul.geo_satellite.monthly", "operations.amortisation_years"} <= keys
    assert all(a.note for a in p.used), "every figure says why"
    data = planner.as_dict(p)
    assert data["currency"] == "USD" and data["assumptions_version"] == p.assumptions.version
    assert "estimates" in data["label"]


@pytest.mark.parametrize(("args", "field", "code"), [
    ((0, 1, "flat", "fibre"), "households", "households_range"),
    ((-5, 1, "flat", "fibre"), "households", "households_range"),
    ((2.5, 1, "flat", "fibre"), "households", "not_whole"),
    ((10**9, 1, "flat", "fibre"), "households", "households_range"),
    (("many", 1, "flat", "fibre"), "households", "not_a_number"),
    ((10, 0, "flat", "fibre"), "area_km2", "area_range"),
    ((10, "nan", "flat", "fibre"), "area_km2", "not_a_number"),
    ((10, "1e9", "flat", "fibre"), "area_km2", "area_range"),
    ((10, 1, "swamp", "fibre"), "terrain", "unknown_terrain"),
    ((10, 1, "flat", "carrier pigeon"), "backhaul", "unknown_backhaul"),
    ((10, 1, "flat", "fibre", 0), "take_up", "take_up_range"),
    ((10, 1, "flat", "fibre", "1.5"), "take_up", "take_up_range"),
])
def test_input_the_model_cannot_describe_is_refused_by_name(args, field, code):
    with pytest.raises(planner.PlanError) as caught:
        planner.community(*args)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_broken_assumptions_file_is_refused_naming_the_figure():
    import yaml

    data = yaml.safe_load(planner.ASSUMPTIONS_FILE.read_text())
    del data["backhaul"]["fibre"]["monthly"]
    with pytest.raises(planner.AssumptionsError, match="backhaul.fibre.monthly"):
        planner.parse_assumptions(data)
    data = yaml.safe_load(planner.ASSUMPTIONS_FILE.read_text())
    data["node"]["equipment"] = -3
    with pytest.raises(planner.AssumptionsError, match="node.equipment"):
        planner.parse_assumptions(data)


communities = st.builds(
    planner.community,
    households=st.integers(1, planner.MAX_HOUSEHOLDS),
    area_km2=st.decimals(planner.MIN_AREA_KM2, planner.MAX_AREA_KM2, places=2),
    terrain=st.sampled_from(planner.TERRAINS),
    backhaul=st.sampled_from(planner.BACKHAULS),
    take_up=st.decimals(planner.MIN_TAKE_UP, planner.MAX_TAKE_UP, places=2),
)


def _monthly_all_in(p: planner.Plan) -> Decimal:
    return p.amortised_capital_monthly + p.monthly_total


@settings(max_examples=200, deadline=None)
@given(communities)
def test_every_cost_is_positive_and_adds_up(c):
    p = planner.plan(c)
    assert p.monthly_per_household > 0 and p.capital_total > 0 and p.monthly_total > 0
    assert p.capital_total == sum(x.amount for x in p.capital)
    assert p.monthly_total == sum(x.amount for x in p.monthly)
    assert 1 <= p.connected_households <= c.households


@settings(max_examples=200, deadline=None)
@given(communities, st.integers(1, 5000))
def test_more_households_never_cost_less_in_total(c, more):
    """What the model guarantees: each line grows with the households (the cost per
    household need not fall: one more household may need one more node)."""
    bigger = planner.community(min(c.households + more, planner.MAX_HOUSEHOLDS), c.area_km2, c.terrain,
                               c.backhaul, c.take_up)
    assert _monthly_all_in(planner.plan(bigger)) >= _monthly_all_in(planner.plan(c))


@settings(max_examples=200, deadline=None)
@given(communities, st.decimals(0, 1000, places=2))
def test_a_larger_area_never_costs_less(c, extra):
    larger = planner.community(c.households, min(c.area_km2 + extra, planner.MAX_AREA_KM2), c.terrain,
                               c.backhaul, c.take_up)
    assert planner.plan(larger).capital_total >= planner.plan(c).capital_total
