"""The local stack of real services (docs/design.md section 6).

Kafka (KRaft, jars from Maven Central), ClickHouse server, Prometheus and
Alertmanager (Debian packages) run on loopback with every file under one
project-local folder.  One small module per service; ``manager`` starts and
stops them; ``stack_info`` describes a running stack for ``cckpi stack env`` and the
test fixture.
"""

from pipeline.stack.errors import StackError
from pipeline.stack.stack_info import StackInfo, env_exports, stack_info

__all__ = ["StackError", "StackInfo", "env_exports", "stack_info"]
