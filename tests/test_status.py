"""Each status rule and its edges, on hand-made arrays."""
import numpy as np
import pandas as pd
import pytest

from goldenthread.config import StatusScheme
from goldenthread.status import apply_overrides, compute_status, measure_status

NAN = np.nan


def one(value, target, polarity="higher", amber=NAN, tol=0.05, exceeding=None):
    return measure_status(np.array([value], float), np.array([target], float), np.array([polarity], object),
                          np.array([amber], float), np.array([tol], float), exceeding)[0]


@pytest.mark.parametrize("value, expected", [
    (95.0, "green"), (90.0, "green"),    # exactly on target is green
    (89.99, "amber"), (85.5, "amber"),   # 5% of 90 is 4.5: the boundary 85.5 is amber
    (85.49, "red"), (10.0, "red"),
])
def test_higher_is_better_with_relative_tolerance(value: float, expected: str) -> None:
    assert one(value, 90.0) == expected


@pytest.mark.parametrize("value, expected", [
    (2.4, "green"), (2.5, "green"), (2.53, "amber"), (2.625, "amber"), (2.63, "red"), (2.96, "red"),
])
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
    base = {"kind": ["measure"], "value": [NAN], "target": [NAN], "polarity": ["higher"],
            "amber_threshold": [NAN], "tolerance": [NAN], "milestone_status": [None]}
    base.update(cols)
    return pd.DataFrame(base)


def test_indicator_tolerance_overrides_scheme_default() -> None:
    scheme = StatusScheme(tolerance=0.01)
    assert compute_status(_obs(value=[88.0], target=[90.0]), scheme)[0] == "red"
    assert compute_status(_obs(value=[88.0], target=[90.0], tolerance=[0.1]), scheme)[0] == "amber"


@pytest.mark.parametrize("state, expected", [
    ("complete", "green"), ("on_track", "green"), ("at_risk", "amber"), ("off_track", "red"),
    ("not_started", "not_available"), (None, "not_available"),
])
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
