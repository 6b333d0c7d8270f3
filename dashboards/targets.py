"""When a figure's 95 % interval cannot tell whether its target is met: one rule for the KPI cards
(components.verdict), the experiment page (pages/forsoeg.status) and the committee report."""

from __future__ import annotations


def interval_holds(low, high, target) -> bool:
    """The interval [low, high] holds the target (a bound on it counts): the figure may lie on
    either side of it, so the data cannot tell whether the target is met. False without an
    interval or a target."""
    return low is not None and high is not None and target is not None and low <= target <= high
