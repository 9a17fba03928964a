"""Competition places and place points (003 客服积分制度), worked by hand.

"第二名可以积2分(同一人获两项积3分)": place 2 on both values earns 2 + 1 = 3.
"""

from pipeline.payroll.rules.rank_points import place_points, places


def test_places_share_ties_skip_the_next_and_leave_zero_unplaced():
    # 8, 8, 5, 0, None -> 1, 1, 3; 0 and None are not placed
    assert places({"a": 8, "b": 8, "c": 5, "d": 0, "e": None}) == {"a": 1, "b": 1, "c": 3}


def test_both_values_earn_the_better_place_plus_one():
    got = place_points([{"x": 2, "y": 1}, {"x": 2, "z": 1}], (3, 2), 1)
    # x: place 2 twice -> 2 + 1 = 3; y and z: place 1 once -> 3
    assert {a: p for a, (p, _) in got.items()} == {"x": 3, "y": 3, "z": 3}
    got = place_points([{"x": 1}, {"x": 2}], (3, 2), 1)
    assert got["x"][0] == 4  # 3 + 1: "同一人获两项积4分"


def test_places_past_the_table_earn_nothing():
    assert place_points([{"a": 3}], (3, 2), 1) == {}
