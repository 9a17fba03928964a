"""``cckpi serve``: the floor's own web app (wallboard, interval charts, drill-down to the contacts).

Routes and wiring in ``app``; the wallboard's numbers in ``board``; query
parameters in ``params``; exports in ``exports``; the bearer token in ``auth``.
The SQL lives in ``pipeline.store`` (``contacts``, ``live``), the report in
``pipeline.report``: the web layer only reads and renders.
"""
