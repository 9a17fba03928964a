"""``cckpi bench``: throughput, latency and query speed, each against a baseline measured in the same run.

One module per part; each returns plain numbers (medians of several runs) that
``pipeline.cli.bench`` prints and writes to ``bench/results.json``:

- ``stream``   worker throughput and peak RSS from a pre-filled topic, vs a bare aiokafka loop
- ``latency``  event ``ts`` (stamped at produce time) to queryable, at a steady rate
- ``replay``   the batch path into chDB and into ClickHouse server, vs decoding the file
- ``queries``  dashboard panel SQL and ``report --by queue`` on contact facts generated in SQL
- ``payroll``  the monthly per-agent rollup on a month generated in SQL

Nothing here is imported by the pipeline; tests never time (STYLE.md), they only
run these code paths at tiny sizes (tests/bench).
"""
