"""Each status rule and its edges, on hand-made arrays, and every edge exact (hypothesis)."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples
from goldenthread.inputs.config import StatusScheme
from goldenthread.inputs.contract import STATUS_KEYS
from goldenthread.measures.status import apply_overrides, compute_status, measure_status

NAN = np.nan


def one(value, target, polarity="higher", amber=NAN, tol=0.05, exceeding=None):
    return measure_status(
        np.array([value], float),
        np.array([target], float),
        np.array([polarity], object),
        np.array([amber], float),
        np.array([tol], float),
        exceeding,
    )[0]


@pytest.mark.parametrize(
    "value, expected",
    [
        (95.0, "green"),
        (90.0, "green"),  # exactly on target is green
        (89.99, "amber"),
        (85.5, "amber"),  # 5% of 90 is 4.5: the boundary 85.5 is amber
        (85.49, "red"),
        (10.0, "red"),
    ],
)
def test_higher_is_better_with_relative_tolerance(value: float, expected: str) -> None:
    assert one(value, 90.0) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (2.4, "green"),
        (2.5, "green"),
        (2.53, "amber"),
        (2.625, "amber"),
        (2.63, "red"),
        (2.96, "red"),
    ],
)
def test_lower_is_better(value: float, expected: str) -> None:
    # Delayed transfers of care: target 2.5%, lower is better, 5% tolerance -> amber up to 2.625
    assert one(value, 2.5, "lower") == expected


def test_floating_point_figures_on_the_boundary_are_not_misjudged() -> None:
    # 0.1 + 0.2 is not exactly 0.3; a figure typed as the target must still be green
    assert one(0.1 + 0.2, 0.3) == "green"
    assert one(94.41, 94.41, "lower") == "green"


def test_absolute_amber_threshold_replaces_tolerance() -> None:
    assert one(86.0, 90.0, amber=85.0) == "amber"
    assert one(85.0, 90.0, amber=85.0) == "amber"  # on the floor is amber
    assert one(84.9, 90.0, amber=85.0) == "red"
    assert one(3.0, 2.5, "lower", amber=3.0) == "amber"
    assert one(3.01, 2.5, "lower", amber=3.0) == "red"


def test_zero_target_uses_no_tolerance_band() -> None:
    # A balanced budget (target 0 overspend): any overspend is outside a relative band of 0
    assert one(0.0, 0.0, "lower") == "green"
    assert one(1.0, 0.0, "lower") == "red"


def test_missing_value_is_not_available_and_missing_target_is_data_only() -> None:
    assert one(NAN, 90.0) == "not_available"
    assert one(50.0, NAN) == "data_only"
    assert one(NAN, NAN) == "not_available"


def test_polarity_none_is_never_rated() -> None:
    assert one(50.0, 90.0, "none") == "data_only"


def test_exceeding_margin_gives_blue_only_when_configured() -> None:
    assert one(99.0, 90.0) == "green"
    assert one(99.0, 90.0, exceeding=0.05) == "blue"
    assert one(94.5, 90.0, exceeding=0.05) == "green"  # exactly 5% better is not beyond the margin


def _obs(**cols) -> pd.DataFrame:
    base = {
        "kind": ["measure"],
        "value": [NAN],
        "target": [NAN],
        "polarity": ["higher"],
        "amber_threshold": [NAN],
        "tolerance": [NAN],
        "milestone_status": [None],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_indicator_tolerance_overrides_scheme_default() -> None:
    scheme = StatusScheme(tolerance=0.01)
    assert compute_status(_obs(value=[88.0], target=[90.0]), scheme)[0] == "red"
    assert compute_status(_obs(value=[88.0], target=[90.0], tolerance=[0.1]), scheme)[0] == "amber"


@pytest.mark.parametrize(
    "state, expected",
    [
        ("complete", "green"),
        ("on_track", "green"),
        ("at_risk", "amber"),
        ("off_track", "red"),
        ("not_started", "not_available"),
        (None, "not_available"),
    ],
)
def test_milestones_map_delivery_state(state, expected) -> None:
    obs = _obs(kind=["milestone"], milestone_status=[state])
    assert compute_status(obs, StatusScheme())[0] == expected


def test_milestone_mapping_is_configurable() -> None:
    scheme = StatusScheme(milestones={"not_started": "amber"})
    assert compute_status(_obs(kind=["milestone"], milestone_status=["not_started"]), scheme)[0] == "amber"
    assert scheme.milestones["complete"] == "green"  # unspecified states keep their defaults


def test_override_wins_and_is_flagged_only_when_it_changes_the_status() -> None:
    status = pd.Series(["red", "green", "amber"])
    override = pd.Series(["amber", "green", None])
    final, flagged = apply_overrides(status, override)
    assert list(final) == ["amber", "green", "amber"]
    assert list(flagged) == [True, False, False]


# --- exact boundaries (issue 10 item 12) --------------------------------------------------------


def test_a_penny_short_of_a_large_target_is_not_on_target() -> None:
    # A relative float slack (1e-9 x target) once called this green: the edge is exact, not fuzzy
    assert one(9_999_999.99, 10_000_000.0, tol=0.0) == "red"
    assert one(9_999_999.99, 10_000_000.0) == "amber"
    assert one(10_000_000.01, 10_000_000.0, "lower", amber=10_000_000.01) == "amber"
    assert one(999.9999999, 1000.0) == "amber"


def test_boundaries_are_decided_on_the_figures_as_typed() -> None:
    # 0.07 x 30 is 2.1000000000000001 in binary; 30 - 2.1 = 27.9 is exactly on the amber edge
    assert one(27.9, 30.0, tol=0.07) == "amber"
    assert one(32.1, 30.0, "lower", tol=0.07) == "amber"
    assert one(32.1, 30.0, exceeding=0.07) == "green"  # exactly on the margin is not beyond it
    assert one(27.9, 30.0, "lower", exceeding=0.07) == "green"
    assert one(32.11, 30.0, exceeding=0.07) == "blue"


def test_a_profiled_target_with_binary_noise_is_the_figure_it_stands_for() -> None:
    # 54 x 7/12 is 31.500000000000004 in binary: a figure of 31.5 is on that target, whatever the polarity
    target = 54 * (7 / 12)
    assert one(31.5, target) == "green"
    assert one(31.5, target, "lower") == "green"
    assert one(31.5, target, tol=0.0) == "green"


# The reference, in Decimal arithmetic on the typed figures: docs/data-contract.md section 5.
def reference_status(
    value: Decimal | None,
    target: Decimal | None,
    polarity: str,
    amber: Decimal | None,
    tol: Decimal,
    margin: Decimal | None,
) -> str:
    if value is None:
        return "not_available"
    if target is None or polarity == "none":
        return "data_only"
    ahead = (value - target) if polarity == "higher" else (target - value)
    if ahead >= 0:
        return "blue" if margin is not None and ahead > margin * abs(target) else "green"
    if amber is not None:
        beyond_floor = (value - amber) if polarity == "higher" else (amber - value)
        return "amber" if beyond_floor >= 0 else "red"
    return "amber" if -ahead <= tol * abs(target) else "red"


def dec(places: int, low: int = -1000, high: int = 1000) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False)


@st.composite
def status_rows(draw: st.DrawFn, margin: Decimal | None) -> tuple:
    """One indicator's figure and rules, often placed exactly on (or one typed step off) an edge."""
    size = draw(st.sampled_from([1000, 10**8]))  # percentages and counts, or pounds
    target = draw(st.one_of(st.none(), dec(draw(st.integers(0, 3)), -size, size)))
    polarity = draw(st.sampled_from(["higher", "lower", "none"]))
    sign = 1 if polarity != "lower" else -1
    tol = draw(dec(2, 0, 1))
    amber = None
    if target is not None and draw(st.booleans()):
        amber = target - sign * draw(dec(2, 0, 50))
    base = target if target is not None else Decimal(0)
    edges = [base, base - sign * tol * abs(base)]
    if amber is not None:
        edges.append(amber)
    if margin is not None:
        edges.append(base + sign * margin * abs(base))
    edge = draw(st.sampled_from(edges))
    # one typed step off the edge, as fine as 15 significant digits allow (what a float holds)
    finest = min(9, 15 - len(str(int(abs(edge)) * 10)))
    step = Decimal(1).scaleb(-draw(st.integers(1, finest))) * draw(st.sampled_from([-1, 0, 0, 1]))
    value = draw(st.one_of(st.none(), dec(3), st.just(edge + step)))
    return value, target, polarity, amber, tol


@settings(max_examples=examples(120), deadline=None)
@given(
    st.one_of(st.none(), dec(2, 0, 1)).flatmap(
        lambda m: st.tuples(st.just(m), st.lists(status_rows(m), min_size=1, max_size=20))
    )
)
def test_status_agrees_with_decimal_arithmetic_on_the_typed_figures(case: tuple) -> None:
    margin, rows = case
    as_float = lambda d: NAN if d is None else float(str(d))  # noqa: E731 - read as a CSV would be
    got = measure_status(
        np.array([as_float(r[0]) for r in rows]),
        np.array([as_float(r[1]) for r in rows]),
        np.array([r[2] for r in rows], object),
        np.array([as_float(r[3]) for r in rows]),
        np.array([as_float(r[4]) for r in rows]),
        None if margin is None else float(str(margin)),
    )
    assert list(got) == [reference_status(*r, margin) for r in rows]


# --- one home for each rule (issue 12): the explorer's bands and the override rule ----------------


@st.composite
def banded_rows(draw: st.DrawFn) -> tuple:
    """An indicator's target and amber rule (its own tolerance, the scheme's, or an absolute
    threshold), the scheme, and a figure placed on or one typed step either side of an edge."""
    scheme_tol = draw(dec(2, 0, 1))
    margin = draw(st.one_of(st.none(), dec(2, 0, 1)))
    polarity = draw(st.sampled_from(["higher", "lower"]))
    sign = 1 if polarity == "higher" else -1
    target = draw(dec(draw(st.integers(0, 2)), -1000, 1000))
    own_tol = draw(st.one_of(st.none(), dec(2, 0, 1)))
    amber = target - sign * draw(dec(2, 0, 50)) if draw(st.booleans()) else None
    tol = scheme_tol if own_tol is None else own_tol
    edge = amber if amber is not None else target - sign * tol * abs(target)
    step = Decimal("0.001") * draw(st.sampled_from([-1, 0, 1]))
    edges = [edge, target] + ([] if margin is None else [target + sign * margin * abs(target)])
    value = draw(st.sampled_from(edges)) + step
    return StatusScheme(tolerance=float(scheme_tol), exceeding_margin=None if margin is None else float(margin)), {
        "polarity": polarity,
        "target": target,
        "tolerance": own_tol,
        "amber_threshold": amber,
        "value": value,
    }


def band_of(value: Decimal, target: Decimal, edge: Decimal, better: Decimal | None, polarity: str) -> str:
    """Which of the explorer's shaded bands a figure falls in (a figure on an edge: the better band)."""
    ahead = (lambda a, b: a >= b) if polarity == "higher" else (lambda a, b: a <= b)
    if better is not None and ahead(value, better) and value != better:
        return "blue"
    if ahead(value, target):
        return "green"
    return "amber" if ahead(value, edge) else "red"


@settings(max_examples=examples(150), deadline=None)
@given(banded_rows())
def test_the_explorers_bands_are_the_status_rules_edges(case: tuple) -> None:
    # The chart's amber edge and exceeding edge come from status.amber_edge / exceeding_edge, the
    # rules compute_status applies: a figure on or one typed step off an edge is in the band of its status.
    from goldenthread.explorer.history import _bounds
    from goldenthread.measures.status import compute_status, exceeding_edge

    scheme, row = case
    as_float = lambda d: NAN if d is None else float(str(d))  # noqa: E731 - read as a CSV would be
    obs = pd.DataFrame(
        {
            "kind": ["measure"],
            "value": [as_float(row["value"])],
            "target": [as_float(row["target"])],
            "polarity": [row["polarity"]],
            "amber_threshold": [as_float(row["amber_threshold"])],
            "tolerance": [as_float(row["tolerance"])],
            "milestone_status": [None],
        }
    )
    target, edge = _bounds(obs, scheme)
    lower = row["polarity"] == "lower"
    tol = row["tolerance"] if row["tolerance"] is not None else Decimal(str(scheme.tolerance))
    exact_edge = row["amber_threshold"]
    if exact_edge is None:
        exact_edge = row["target"] - (-1 if lower else 1) * tol * abs(row["target"])
    assert edge[0] == pytest.approx(float(exact_edge), abs=1e-9)
    # an amber edge on the better side of the target leaves no amber zone, in the chart as in status.py
    shown_edge = max(exact_edge, row["target"]) if lower else min(exact_edge, row["target"])
    better = None
    if scheme.exceeding_margin is not None:
        margin = Decimal(str(scheme.exceeding_margin))
        better = row["target"] + (-1 if lower else 1) * margin * abs(row["target"])
        drawn = exceeding_edge(target, np.array([lower]), scheme.exceeding_margin)[0]
        assert drawn == pytest.approx(float(better), abs=1e-9)
    band = band_of(row["value"], row["target"], shown_edge, better, row["polarity"])
    assert compute_status(obs, scheme)[0] == band


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(STATUS_KEYS), st.one_of(st.none(), st.sampled_from(STATUS_KEYS))),
        min_size=1,
        max_size=12,
    )
)
def test_the_history_and_the_card_apply_an_override_by_the_same_rule(pairs: list) -> None:
    # observations() works on codes, scorecard() on the card's text: both go through override_codes
    from goldenthread.measures.status import override_codes, status_code

    status = pd.Series([s for s, _ in pairs], dtype=object)
    override = pd.Series([o for _, o in pairs], dtype=object)
    final, flagged = apply_overrides(status, override)
    codes, flags = override_codes(status_code(status), status_code(override))
    assert list(final) == [STATUS_KEYS[c] for c in codes] == [o or s for s, o in pairs]
    assert list(flagged) == list(flags) == [o is not None and o != s for s, o in pairs]
