"""Converters from other systems' records into the event contract v1."""
