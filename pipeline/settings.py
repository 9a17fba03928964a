"""One typed settings object for every command.

Environment variables (prefix ``CCKPI_``) override the optional TOML file named
by ``CCKPI_CONFIG``; both override the defaults here.  Per-queue targets live in
the TOML file (``[queues.<name>]``) because they are tables, not scalars; a queue
without a table uses ``[queue_defaults]``.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pipeline.retention_settings import RetentionSettings, payroll_minimum_days

SlAbandonMode = Literal["exclude_short", "count_against", "ignore", "count_as_met"]
# the scales a queue's post-contact survey may use (``survey.csat`` ``scale``); 3-option: 1 不满意, 2 一般, 3 满意
CsatScale = Literal["1-5", "0-100", "3-option"]
CSAT_SCALES: dict[str, tuple[int, int]] = {"1-5": (1, 5), "0-100": (0, 100), "3-option": (1, 3)}
# the satisfied cut-off when a queue sets none: 4 on 1-5 (section 3's top-2 box), 80 on 0-100 (the same
# 4-of-5 read on a 100-point survey), 3 (满意) on three options
CSAT_DEFAULT_SATISFIED: dict[str, float] = {"1-5": 4, "0-100": 80, "3-option": 3}

DEFAULT_DATA_DIR = Path(platformdirs.user_data_dir("cckpi"))


class SettingsError(Exception):
    """A setting has a bad value; the message names the setting and the fix."""


class QueueSettings(BaseModel):
    """Targets and thresholds of one queue (docs/design.md section 3 defaults)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sl_threshold_s: float = Field(30, gt=0, description="answered within this many seconds counts as within service level")
    sl_target: float = Field(0.90, ge=0, le=1, description="service-level target as a fraction")
    short_abandon_s: float = Field(5, ge=0, description="abandons quicker than this are short abandons")
    frt_target_s: float = Field(15, gt=0, description="chat first-response target")
    fcr_window_days: float = Field(7, gt=0, description="a repeat inbound contact within this many days breaks FCR")
    fcr_exclude_escalated: bool = Field(
        False, description="leave contacts wrapped up `escalated` out of FCR (002: 需跨部門協作的問題除外)")
    csat_scale: CsatScale = Field("1-5", description="the queue's CSAT survey scale: 1-5, 0-100 or 3-option")
    csat_satisfied_min: float | None = Field(
        None, description="a CSAT score at or above this is satisfied (csat_top2box); default 4, 80 or 3 by scale")
    aht_target_s: float | None = Field(None, gt=0, description="inbound AHT target (report marks aht_s met/missed)")
    aht_target_outbound_s: float | None = Field(None, gt=0, description="outbound AHT target")
    sl_abandon_mode: SlAbandonMode = "exclude_short"
    abandon_rate_target: float = Field(0.05, ge=0, le=1, description="alert when abandon rate is above this")
    longest_wait_alert_s: float = Field(120, gt=0, description="alert when the longest waiting contact waits longer")
    opening_hours: str = Field(
        default="08:00-20:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$",
        description="local HH:MM-HH:MM the queue is open (may cross midnight); the no-events alert fires only then",
    )
    open_weekdays: tuple[int, ...] = Field(default=(1, 2, 3, 4, 5, 6, 7), description="ISO weekdays open (1 = Monday)")
    no_events_alert_s: float = Field(default=900, gt=0, description="alert: an open queue had no contact this long")

    @field_validator("open_weekdays")
    @classmethod
    def _iso_weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise ValueError("list ISO weekdays 1 (Monday) .. 7 (Sunday), at least one")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _cut_off_on_scale(self) -> QueueSettings:
        low, high = CSAT_SCALES[self.csat_scale]
        if self.csat_satisfied_min is not None and not low < self.csat_satisfied_min <= high:
            raise ValueError(f"csat_satisfied_min must be above {low} and at most {high} on the "
                             f"{self.csat_scale} scale")
        return self

    @property
    def csat_cutoff(self) -> float:
        """The satisfied cut-off in force: the setting, or the scale's default."""
        if self.csat_satisfied_min is not None:
            return self.csat_satisfied_min
        return CSAT_DEFAULT_SATISFIED[self.csat_scale]

    def aht_target(self, direction: str) -> float | None:
        """The AHT target of inbound or outbound contacts (002: 呼入≤3分鐘, 呼出≤4分鐘), None when unset."""
        return self.aht_target_outbound_s if direction == "outbound" else self.aht_target_s


class AlertSettings(BaseModel):
    """How long a condition must hold before its alert fires (``for:``), so a short dip does not page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sl_for_s: float = Field(default=300, ge=0, description="service level below target this long")
    longest_wait_for_s: float = Field(default=60, ge=0, description="longest wait above its threshold this long")
    abandon_rate_for_s: float = Field(default=600, ge=0, description="abandon rate above target this long")
    no_events_for_s: float = Field(default=60, ge=0, description="no-events condition holding this long")
    worker_down_for_s: float = Field(default=60, ge=0, description="worker scrape failing this long")
    lag_messages: int = Field(default=10000, ge=1, description="lag (messages per topic) that counts as lagging")
    lag_for_s: float = Field(default=300, ge=0, description="lagging this long")
    follower_down_for_s: float = Field(default=60, ge=0, description="queue_log follower scrape failing this long")
    follow_behind_s: float = Field(default=60, ge=1, description="queue_log lines unpublished this long count as "
                                   "the follower being behind")
    follow_behind_for_s: float = Field(default=60, ge=0, description="the follower behind this long")
    robots: tuple[RobotSettings, ...] = Field(default=(), description="chat robots `cckpi serve` relays "
                                              "Alertmanager's webhook to (docs/alerts-and-dashboards.md)")
    relay_spool: Path | None = Field(default=None, description="the relay's durable outbox (SQLite); default "
                                     "<data_dir>/alert-relay.sqlite")
    wallboard_url: str | None = Field(default=None, pattern=r"^https?://\S+$", description="the wallboard link "
                                      "in robot messages; default the address Alertmanager posted to")
    retry_max_s: float = Field(default=300, ge=1, description="longest pause between two tries of one message")


RobotKind = Literal["dingtalk", "feishu", "wecom"]
SIGNING_KINDS: frozenset[str] = frozenset({"dingtalk", "feishu"})


class RobotSettings(BaseModel):
    """One chat robot the alert relay posts to (``[[alerts.robots]]``); the secret only where the kind signs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RobotKind
    url: str = Field(pattern=r"^https?://\S+$", description="the robot's webhook URL as the chat app shows it")
    secret: str | None = Field(default=None, min_length=1, description="DingTalk SEC... / Feishu signing secret")
    lang: Literal["zh-CN", "en"] | None = Field(default=None, description="message language; default `lang`")

    @model_validator(mode="after")
    def _secret_where_signed(self) -> RobotSettings:
        if self.kind in SIGNING_KINDS and not self.secret:
            raise ValueError(f"a {self.kind} robot needs secret = the robot's signing secret (加签); "
                             "turn signing on in the robot's security settings")
        if self.kind not in SIGNING_KINDS and self.secret:
            raise ValueError(f"a {self.kind} robot does not sign: remove secret (the key in the url is its credential)")
        return self


class ClusterSettings(BaseModel):
    """The several-node stack of ``cckpi stack up --cluster`` (docs/scale-out.md), beside the single one.

    Ports are 29xxx so it runs next to the single-node stack (19xxx); the JVM
    and ZooKeeper values keep the whole cluster near 1.4 GB and let a killed
    ClickHouse replica rejoin within seconds (docs/infra-facts.md).
    """

    model_config = ConfigDict(extra="forbid")

    dir: Path = Field(default=Path(".stack-cluster"), description="data, logs, pids and secrets of the cluster")
    name: str = Field("cckpi", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="ClickHouse cluster (remote_servers)")
    kafka_nodes: int = Field(3, ge=1, le=9, description="KRaft nodes, each broker and controller")
    kafka_port: int = Field(29092, gt=0, lt=65000, description="first broker port; node i listens on port + i - 1")
    kafka_controller_port: int = Field(29192, gt=0, lt=65000, description="first controller port")
    kafka_heap_mb: int = Field(384, ge=128, description="heap (-Xmx = -Xms) of each broker")
    min_insync_replicas: int = Field(2, ge=1, description="acks=all waits for this many in-sync replicas")
    clickhouse_shards: int = Field(1, ge=1, le=4, description="shards; each has clickhouse_replicas servers")
    clickhouse_replicas: int = Field(2, ge=1, le=9, description="replicas of each shard")
    clickhouse_tcp_port: int = Field(29001, gt=0, lt=65000, description="native port of server 1 (+ i - 1)")
    clickhouse_http_port: int = Field(29123, gt=0, lt=65000, description="HTTP port of server 1 (+ i - 1)")
    clickhouse_interserver_port: int = Field(29009, gt=0, lt=65000, description="replication port of server 1")
    zookeeper_port: int = Field(29181, gt=0, lt=65536)
    zookeeper_session_timeout_ms: int = Field(
        5000, ge=2000, le=20000, description="a replica killed -9 rejoins after its old session expires"
    )
    insert_quorum: int = Field(
        2, ge=0, description="replicas that must hold a write before it counts (0: none; see docs/scale-out.md)"
    )

    @model_validator(mode="after")
    def _ports_apart(self) -> ClusterSettings:
        """Server i uses tcp/http/replication port + i - 1: at most 8 servers keep the three ranges apart."""
        if self.clickhouse_shards * self.clickhouse_replicas > 8:
            raise ValueError("clickhouse_shards x clickhouse_replicas is at most 8 ClickHouse servers on one machine")
        return self


class StackSettings(BaseModel):
    """Where the local stack (docs/design.md section 6) keeps its data and listens."""

    model_config = ConfigDict(extra="forbid")

    dir: Path = Field(default=Path(".stack"), description="project-local folder for data, logs, pids, secrets")
    host: str = "127.0.0.1"
    kafka_port: int = Field(19092, gt=0, lt=65536)
    kafka_controller_port: int = Field(19093, gt=0, lt=65536)
    clickhouse_tcp_port: int = Field(19000, gt=0, lt=65536)
    clickhouse_http_port: int = Field(18123, gt=0, lt=65536)
    prometheus_port: int = Field(19090, gt=0, lt=65536)
    alertmanager_port: int = Field(19094, gt=0, lt=65536)
    kafka_version: str = Field("3.9.1", pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    kafka_heap_mb: int = Field(512, ge=128, description="broker JVM heap (-Xmx)")
    start_timeout_s: float = Field(90, gt=0)
    stop_timeout_s: float = Field(60, gt=0, description="wait this long for a service to exit before SIGKILL")
    database: str = Field("cckpi", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="wallboard/pipeline database")
    payroll_database: str = Field("cckpi_payroll", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    alert_webhook_url: str = Field(
        "http://127.0.0.1:19095/api/alerts/alertmanager",
        description="where the local Alertmanager sends every alert (`cckpi serve --port 19095` relays it)"
    )
    install_missing: bool = Field(True, description="apt-get/mvn what the stack lacks; false: fail instead")
    cluster: ClusterSettings = ClusterSettings()


class PayrollSettings(BaseModel):
    """How months are closed (``CCKPI_PAYROLL__<NAME>``)."""

    model_config = ConfigDict(extra="forbid")
    close_grace_days: float = Field(3, ge=0, description="days after the month ends before it may be closed "
                                    "(late events still arrive)")
    adjustment_lookback_months: int = Field(3, ge=0, description="closing a month carries corrections of the "
                                            "closed months this far back")
    policy_path: Path | None = Field(None, description="`cckpi serve`: the pay policy YAML the scorecard pages "
                                     "and the payroll page use (the CLI's --policy)")
    roster_path: Path | None = Field(None, description="`cckpi serve`: the roster (CSV or YAML) that says each "
                                     "agent's team, for supervisors' scope and the payroll page (--roster)")
    holidays: list[date] = Field(default_factory=list, description="public holidays (YYYY-MM-DD): not working "
                                 "days when counting the 3 working days an agent has to acknowledge a card")
    ack_working_days: int = Field(3, ge=0, description="working days (Mon-Fri) after a close before an "
                                  "unacknowledged scorecard is overdue")


class ServeLimits(BaseModel):
    """What one request to ``cckpi serve`` may ask for (``CCKPI_SERVE_LIMITS__<NAME>``): a request beyond a
    limit is refused (413, or 400 naming the limit) instead of holding the store and the memory for minutes."""

    model_config = ConfigDict(extra="forbid")
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="largest request body (a payroll "
                                "inputs upload is the largest expected); larger: 413")
    report_max_days: int = Field(400, ge=1, description="/api/report: longest range, any grouping")
    report_max_intervals: int = Field(3000, ge=1, description="/api/report grouped by interval: most intervals "
                                      "in the range (3000: a month of 15 minutes, 8 years of days)")
    agent_report_max_intervals: int = Field(750, ge=1, description="/api/report grouped by agent and interval: "
                                            "most intervals in the range (750: a week of 15 minutes)")
    contacts_max_days: int = Field(93, ge=1, description="/api/contacts (a page or an export): longest range")


class Settings(BaseSettings):
    """Every setting of every command, each with its ``CCKPI_`` environment name."""

    model_config = SettingsConfigDict(
        env_prefix="CCKPI_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    store_url: str = Field(
        default=f"chdb://{DEFAULT_DATA_DIR / 'store'}",
        description="clickhouse://user:password@host:port/db or chdb:///path (embedded default)",
    )
    payroll_store_url: str | None = Field(
        default=None, description="store for payroll tables; defaults to store_url (embedded) "
    )
    wallboard_store_url: str | None = Field(default=None, description="read-only store of the wallboards")
    admin_store_url: str | None = Field(default=None, description="store user allowed to create databases")
    prometheus_url: str | None = None
    alertmanager_url: str | None = None
    kafka_bootstrap: str = "127.0.0.1:19092"
    topic_prefix: str = Field("cckpi", pattern=r"^[A-Za-z0-9._-]+$")
    topic_partitions: int = Field(4, ge=1)
    topic_replication: int = Field(1, ge=1)
    tz: str = "Asia/Shanghai"
    pseudonym_key: str | None = Field(
        default=None, min_length=16,
        description="secret (16+ characters) for the keyed hash of customer identifiers; a key file in data_dir otherwise",
    )
    data_dir: Path = DEFAULT_DATA_DIR
    trailing_window_s: float = Field(1800, gt=0, description="window of the live service level")
    consumer_group: str | None = Field(
        default=None, description="Kafka consumer group of `cckpi worker`; default '<topic_prefix>-worker'"
    )
    batch_max_events: int = Field(50000, ge=1, description="worker flushes to the store after this many messages")
    batch_max_seconds: float = Field(1.0, gt=0, description="... or after this many seconds, whichever first")
    catch_up_refresh_s: float = Field(
        10.0, ge=0, description="while the worker reads full batches (a backlog), it rebuilds the 15-minute "
        "aggregates this often instead of after every batch (0: after every batch)")
    worker_metrics_port: int = Field(19100, ge=0, lt=65536, description="worker's Prometheus port (0: none)")
    follow_metrics_port: int = Field(19101, ge=0, lt=65536,
                                     description="`cckpi follow`'s Prometheus port (0: none)")
    serve_token: str | None = Field(
        default=None, description="`cckpi serve`: bearer token (or login cookie) the web app requires; "
        "required to listen on any address but loopback, and then at least 32 characters")
    session_hours: float = Field(12, gt=0, le=24 * 30, description="`cckpi serve`: a login session (cookie) "
                                 "expires after this many hours")
    session_secret: str | None = Field(None, min_length=32, description="`cckpi serve`: key that signs session "
                                       "cookies (32+ characters); default: a random key per run")
    serve_allowed_hosts: list[str] = Field(
        default_factory=list, description="`cckpi serve`: host names the browser may use besides the loopback "
        "names and the --host address (a Host header not listed is refused: DNS rebinding)")
    serve_limits: ServeLimits = ServeLimits()
    wallboard_amber_margin: float = Field(
        default=0.05, ge=0, le=1, description="service level this close below its target shows amber, not red")
    wallboard_refresh_s: float = Field(default=5, gt=0, le=5, description="the wallboard page reloads its numbers")
    worker_metrics_host: str = Field(
        "127.0.0.1", description="address of the worker's and the follower's /metrics (0.0.0.0 in a pod)")
    queue_defaults: QueueSettings = QueueSettings()
    queues: dict[str, QueueSettings] = Field(default_factory=dict)
    stack: StackSettings = StackSettings()
    alerts: AlertSettings = AlertSettings()
    lang: Literal["zh-CN", "en"] | None = Field(
        default=None, description="language of labels (wallboard, report, payroll workbook): zh-CN or en; "
        "default from the centre's zone (zh-CN in mainland China)")
    payroll: PayrollSettings = PayrollSettings()
    retention: RetentionSettings = RetentionSettings()

    @model_validator(mode="after")
    def _facts_outlive_payroll(self) -> Settings:
        days = self.retention.contact_facts_days
        least = payroll_minimum_days(self.payroll.adjustment_lookback_months, self.payroll.close_grace_days)
        if days and days < least:
            raise ValueError(f"retention.contact_facts_days (CCKPI_RETENTION__CONTACT_FACTS_DAYS) is {days}, "
                             f"but payroll recomputes closed months from the facts: keep at least {least} days "
                             "(or 0 to keep them forever)")
        return self

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from None
        return value

    @field_validator("store_url", "payroll_store_url", "wallboard_store_url", "admin_store_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("chdb://", "clickhouse://")):
            raise ValueError("must start with chdb:// or clickhouse://")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def queue(self, name: str) -> QueueSettings:
        """The settings in force for ``name``: its own table or the defaults."""
        return self.queues.get(name, self.queue_defaults)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def language(self) -> str:
        """The labels' language: the ``lang`` setting, else the zone's default."""
        from pipeline.i18n import default_language

        return self.lang or default_language(self.zone)

    @property
    def worker_group(self) -> str:
        """The consumer group: a fresh topic prefix gets a fresh group unless one is set."""
        return self.consumer_group or f"{self.topic_prefix}-worker"

    def topic(self, name: str) -> str:
        """Every topic name derives from the prefix so a test can use a fresh set."""
        return f"{self.topic_prefix}.{name}"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by CCKPI_CONFIG (the lowest-priority source)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("CCKPI_CONFIG")
        if not path:
            return {}
        try:
            with open(path, "rb") as handle:
                return tomllib.load(handle)
        except FileNotFoundError:
            raise SettingsError(f"CCKPI_CONFIG: no file {path!r}; point it at a TOML file or unset it") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"CCKPI_CONFIG: {path} is not valid TOML ({exc}); fix the file") from None


def explain(error: ValidationError) -> str:
    """One line per bad setting, naming its environment variable and the fix."""
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        if not loc:  # a check across settings names them in its own message
            lines.append(item["msg"].removeprefix("Value error, "))
            continue
        env = "CCKPI_" + "__".join(loc).upper()
        lines.append(f"setting {'.'.join(loc)} ({env}): {item['msg']}{_shown(loc, item.get('input'))}")
    return "; ".join(lines)


_CREDENTIAL_PARTS = ("secret", "token", "key", "url", "password")


def _shown(loc: list[str], value: Any) -> str:
    """The bad value, unless it may hold a credential (a robot's URL carries its key, a store URL a password)
    or is a whole table (which holds them)."""
    if isinstance(value, dict) or any(part in name for name in loc for part in _CREDENTIAL_PARTS):
        return ""
    return f" (got {value!r})"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings or raise SettingsError with a one-line explanation."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(explain(exc)) from None

