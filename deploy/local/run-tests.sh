#!/usr/bin/env bash
# The README test command (`make test` runs this): install what is missing,
# start the local stack (Kafka, ClickHouse, Prometheus, Alertmanager), run
# every test against it, and always stop the stack again.
# Arguments go to pytest: `bash deploy/local/run-tests.sh tests/stack -x`.
# The exit code is pytest's.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Debian packages for the venv and the services; `cckpi stack up` checks the
# same, but python3-venv is needed before cckpi even exists.
need=()
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v clickhouse-server >/dev/null || [ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server clickhouse-client)
command -v prometheus >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
# the wallboard: npm for its chart library, Debian's chromium and a CJK font for its browser tests
command -v npm >/dev/null || need+=(nodejs npm)
command -v chromium >/dev/null || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
    echo "run-tests: installing ${need[*]}"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi

make install
cckpi=.venv/bin/cckpi

stop_stack() {
    echo "run-tests: stopping the stack"
    "$cckpi" stack down || true
    # the scale-out test starts and stops the cluster itself; this catches a pytest that was killed
    "$cckpi" stack down --cluster >/dev/null 2>&1 || true
    CCKPI_STACK__CLUSTER__DIR=.stack-cluster-sharded "$cckpi" stack down --cluster >/dev/null 2>&1 || true
}
trap stop_stack EXIT

echo "run-tests: starting the stack"
started=$(date +%s)
"$cckpi" stack up
echo "run-tests: stack up in $(( $(date +%s) - started )) s"
echo "run-tests: versions: java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(.venv/bin/python --version)"

# every command (and the store fixtures) points at the running stack
eval "$("$cckpi" stack env)"

set +e
.venv/bin/pytest -q "$@"
code=$?
set -e
echo "run-tests: pytest exited with $code"
exit "$code"
