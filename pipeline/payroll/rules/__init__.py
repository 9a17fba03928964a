"""The pay policy language: one module per rule kind.

- ``expressions``: the arithmetic a policy may write over named figures (simpleeval, never ``eval``);
- ``declared_inputs``: the inputs a policy declares (name, kind, per month or day, range);
- ``point_lines``: points from a base less so many per unit, or by steps of a value (the 100-point card);
- ``rank_points``: competition places on a value and the points each place earns;
- ``points_ledger``: earned points carried, redeemed, valued in cash, and levels;
- ``quality_tiers``, ``weighted_lines``, ``eligibility``: the service-quality bonus's tiers, the
  weighted card and the hire-day / hours rules (``pipeline.payroll.scorecard`` applies them).

A new rule kind is a new module here with its pydantic model and a pure function; ``policy.py`` names it.
"""
