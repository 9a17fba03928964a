"""`cckpi doctor`'s check of the ClickHouse users: each configured user may do what it must and no more.

ClickHouse 18.16 has no GRANT and no SHOW GRANTS: a user's rights are its
``users.xml`` entry (``allow_databases``, the profile's ``readonly``), which
the server does not show.  So each right is probed by trying it, with
statements that change nothing:

- read ``db``: ``SELECT count() FROM db.schema_migrations``;
- write ``db``: ``INSERT INTO db.schema_migrations SELECT * ... WHERE 0``
  (no row);
- table functions: ``SELECT count() FROM numbers(1)``.

18.16 checks the user before it looks for the table: a database outside
``allow_databases`` answers code 291 (access denied) and a read-only user's
write or table function code 164, even for a table that does not exist;
code 60 (no such table) therefore means the right is there.  The users and
what they need are those ``cckpi stack up`` creates (docs/design.md section
4): the writer writes the events database, the wallboard user only reads it
(no writes, no table functions: a read-only user's ``url()`` makes the
server fetch any address), and the payroll database is readable by the
payroll user alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.doctor import Check
from pipeline.settings import Settings
from pipeline.store.engines import Engine

DENIED = frozenset({291, 497})  # 18.16's DATABASE_ACCESS_DENIED; a current ClickHouse's ACCESS_DENIED
READ_ONLY = frozenset({164})  # READONLY: also "table functions are forbidden in readonly mode"
NO_TABLE = 60  # the user got past the access checks


@dataclass(frozen=True)
class Need:
    """One right a user must have (``allowed``) or must not have, probed by ``sql``."""

    what: str
    sql: str
    allowed: bool
    fix: str


def _may(engine: Engine, sql: str) -> bool:
    """Whether the server lets this user run ``sql`` (an error other than a refusal is raised)."""
    try:
        engine.query(sql)
        return True
    except Exception as exc:
        code = getattr(exc, "code", None)
        if code == NO_TABLE:
            return True
        if code in DENIED or code in READ_ONLY:
            return False
        raise


def _read(db: str) -> str:
    return f"SELECT count() AS n FROM {db}.schema_migrations"


def _write(db: str) -> str:
    return f"INSERT INTO {db}.schema_migrations SELECT * FROM {db}.schema_migrations WHERE 0"


def user_check(role: str, url: str, needs: list[Need]) -> Check:
    """One line for one user: every need met, else each one that is not, with its fix."""
    from pipeline.store.clickhouse_engine import server_message
    from pipeline.store.engine_choice import open_engine
    from pipeline.store.store_url import parse_url

    user = parse_url(url).user
    name = f"user {role}"
    try:
        engine = open_engine(url)
    except Exception as exc:  # noqa: BLE001 - a user who cannot connect (unknown, wrong password) is the finding
        return Check(name, False, f"{user} cannot connect: {str(exc).splitlines()[0]}")
    wrong = []
    try:
        for need in needs:
            try:
                if _may(engine, need.sql) != need.allowed:
                    wrong.append(f"{user} {'may not' if need.allowed else 'may'} {need.what} ({need.fix})")
            except Exception as exc:  # noqa: BLE001 - said in the line: the probe itself failed
                wrong.append(f"cannot tell whether {user} may {need.what}: {server_message(exc)[:200]}")
    finally:
        engine.close()
    if wrong:
        return Check(name, False, "; ".join(wrong))
    return Check(name, True, f"{user}: " + ", ".join(("may " if n.allowed else "may not ") + n.what for n in needs))


def grants_check(settings: Settings) -> list[Check]:
    """The writer, wallboard and payroll users of a ClickHouse server store (none for the embedded store)."""
    from pipeline.payroll.closing import payroll_url
    from pipeline.store.store_url import parse_url

    writer = parse_url(settings.store_url)
    if writer.scheme != "clickhouse":
        return []
    db = writer.database
    payroll = payroll_url(settings, settings.store_url)
    pay_db = parse_url(payroll).database
    users_xml = "in the server's users.xml"
    no_payroll = Need(f"read the payroll database {pay_db}", _read(pay_db), False,
                      f"only the payroll user may: take {pay_db} out of this user's allow_databases {users_xml}")
    checks = [user_check("writer", settings.store_url, [
        Need(f"write {db}", _write(db), True, f"give it a profile without readonly and {db} in its allow_databases "
             f"{users_xml}"),
        no_payroll])]
    if settings.wallboard_store_url:
        checks.append(user_check("wallboard", settings.wallboard_store_url, [
            Need(f"read {db}", _read(db), True, f"add {db} to its allow_databases {users_xml}"),
            Need(f"write {db}", _write(db), False, f"give it a profile with readonly=1 {users_xml}"),
            Need("use table functions", "SELECT count() AS n FROM numbers(1)", False,
                 f"readonly=1 in its profile refuses url() and the like {users_xml}"),
            no_payroll]))
    else:
        checks.append(Check("user wallboard", True, "not checked: CCKPI_WALLBOARD_STORE_URL is not set"))
    checks.append(user_check("payroll", payroll, [
        Need(f"read {pay_db}", _read(pay_db), True, f"add {pay_db} to its allow_databases {users_xml}"),
        Need(f"write {pay_db}", _write(pay_db), True, f"give it a profile without readonly {users_xml}"),
        Need(f"read {db}", _read(db), True, f"payroll reads the contact facts: add {db} to its allow_databases "
             f"{users_xml}")]))
    return checks
