"""Alertmanager's webhook body (``version: "4"``, notify/webhook/webhook.go), the fields the relay reads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["firing", "resolved"]
ZERO_TIME_YEAR = 1  # Alertmanager sends endsAt 0001-01-01T00:00:00Z for an alert without an end


class Alert(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    status: Status
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    fingerprint: str = ""

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def ended(self) -> datetime | None:
        """The end time of a resolved alert; None while firing (Alertmanager's zero time or a future end)."""
        if self.status != "resolved" or self.ends_at is None or self.ends_at.year == ZERO_TIME_YEAR:
            return None
        return self.ends_at


class Notification(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    version: str = "4"
    status: Status
    receiver: str = ""
    group_key: str = Field(default="", alias="groupKey")
    alerts: tuple[Alert, ...]
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    external_url: str = Field(default="", alias="externalURL")
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")
