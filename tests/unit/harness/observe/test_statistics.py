"""The statistics every reader judges with."""

import pytest

from runbook_drill.harness.observe.statistics import percentile


@pytest.mark.parametrize("values, q, expected", [([5], 0.99, 5), ([1, 2, 3, 4], 0.5, 2), ([1, 2, 3, 4], 0.75, 3)])
def test_percentile_is_nearest_rank(values, q, expected):
    assert percentile(values, q) == expected
