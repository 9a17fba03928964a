"""Prometheus alert rules rendered from the settings (``cckpi alerts render``)."""
