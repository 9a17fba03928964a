"""The streaming worker (``cckpi worker``): Kafka -> the core's Intake -> the store, on Faust.

The chain is the replay's (``pipeline.ingest.chain`` lists its steps), fed
by a Faust agent instead of files, so a stream and a replay of the same events
give the same numbers.  Modules: ``consumer`` (the Kafka group member: batches
in, offsets committed after they are stored), ``agent`` (the chain with the
worker's ends), ``sink`` (its store steps on their own thread), ``seen``
(bounded duplicate filter), ``batching`` (Kafka records as the chain's
messages, dead-letter records, tallies), ``exporter`` (Prometheus counters), ``gauges`` (live queue
gauges from the store), ``app`` (the Faust app and its agent), ``run``
(blocking entry point for the CLI and the demo).
"""
