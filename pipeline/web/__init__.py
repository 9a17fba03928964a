"""``cckpi serve``: the web app, its routes grouped by area (one subpackage each, a ``ROUTES`` list).

``factory.create_app`` joins the areas' routes and the middleware over one
``context.WebContext`` (store access, settings, clock, token) that handlers read
with ``web_context(request)``. Areas: ``floor`` (wallboard, intervals, contacts,
their API, health, the floor token's login), ``people`` (an agent's and a
supervisor's pages), ``payroll`` (the clerk's month end), ``alerts``
(Alertmanager's webhook). Shared: query parameters in ``params``, the
wallboard's numbers in ``board``, contact files in ``contact_exports``, the
floor token in ``auth``. The SQL lives in ``pipeline.store``, the report in
``pipeline.report``: the web layer only reads and renders.
"""
