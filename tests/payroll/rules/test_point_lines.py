"""Point lines: deduction, steps and score shapes, the card's cap and floor, each with its reason."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from pipeline.payroll.rules.point_lines import PointCard, PointLine, card_points


def test_a_line_has_exactly_one_shape():
    with pytest.raises(ValidationError, match="give one of"):
        PointLine(name="x", points=Decimal(5), minus=Decimal(5), per="a", value="b",
                  steps=[{"at_least": 1, "points": 5}])
    with pytest.raises(ValidationError, match="a deduction needs both"):
        PointLine(name="x", points=Decimal(5), per="a")
    with pytest.raises(ValidationError, match="either at_least or at_most"):
        PointLine(name="x", points=Decimal(5), value="a", steps=[{"points": 5}])


def test_cap_and_floor_of_the_card():
    card = PointCard(prefix="p", cap=Decimal(12), lines=[
        PointLine(name="a", points=Decimal(10), score="s"), PointLine(name="b", points=Decimal(5), minus=Decimal(1),
                                                                     per="n")])
    # a: score 9; b: 5 - 1 x 2 = 3; 12 = the cap exactly: kept
    got, reasons = card_points(card, {"s": 9, "n": 2})
    assert (got["p_a"], got["p_b"], got["p_total"]) == (Decimal(9), Decimal(3), Decimal(12))
    # a: score 12 capped at its 10 points; b 5: 15 > cap 12
    got, reasons = card_points(card, {"s": 12, "n": 0})
    assert (got["p_a"], got["p_total"]) == (Decimal(10), Decimal(12))
    assert "p_total 15 capped at 12" in reasons
