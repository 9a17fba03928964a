"""Grafana dashboards as code: builders, export to JSON files, push through the HTTP API."""
