"""The streaming worker (``cckpi worker``): Kafka -> the core's Intake -> the store, on Faust.

The chain is the replay's (decode -> pseudonymise -> dedupe -> assemble ->
flush), fed by a Faust agent instead of files, so a stream and a replay of the
same events give the same numbers.  Modules: ``consumer`` (the Kafka group
member: batches in, offsets committed after they are stored), ``seen``
(bounded duplicate filter), ``batching`` (one batch through the Intake,
dead-letter records), ``metrics`` (Prometheus counters), ``gauges`` (live queue
gauges from the store), ``app`` (the Faust app and its agent), ``run``
(blocking entry point for the CLI and the demo).
"""
