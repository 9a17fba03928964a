#!/bin/sh
# `make mutate`: mutmut (2.x) over the code whose numbers decide pay, one module group at a time, each group
# against only the few fast test files that cover it.  Why per group: every mutant re-runs the test command, so
# a mutant of intervals.py that ran all of tests/core plus the chDB catalogue would pay seconds of start-up for
# tests that cannot see it.  The map below was found with grep (which tests import the module) and checked by
# running each group's tests on the real code (green, in seconds).
#
# Usage: tests/mutate.sh [GROUP ...]   (no argument: every group; names are the first column below)
# Environment: BIN (the venv's bin, default .venv/bin), MUTATE_TIMEOUT (seconds per group, default 14400).
# mutmut edits the files in place (and restores them): run it in a clone of its own, not a tree you are editing.
# Results accumulate in .mutmut-cache: `$BIN/mutmut results`, `$BIN/mutmut show ID`.
set -u

BIN=${BIN:-.venv/bin}
BIN=$(cd "$BIN" && pwd)
MUTATE_TIMEOUT=${MUTATE_TIMEOUT:-14400}

# name | paths to mutate (comma-separated) | pytest arguments (test files and flags)
# --noconftest where the tests need no fixture from a conftest (saves the conftest imports per mutant).
GROUPS_TABLE='
intervals|pipeline/core/intervals.py,pipeline/core/agent_time.py,pipeline/core/agent_work.py|--noconftest tests/core/test_intervals.py tests/core/test_agent_work.py tests/core/test_agent_work_lay.py
contact|pipeline/core/contact.py,pipeline/core/facts.py,pipeline/core/decode.py,pipeline/core/events.py|--noconftest tests/core/test_contact.py tests/core/test_contact_state_bytes.py tests/core/test_facts_partial.py tests/core/test_decode_edges.py tests/core/test_event_contract.py tests/core/test_time_conflict.py tests/core/test_decode.py tests/cli/test_schemas_export.py
kpi|pipeline/core/kpi.py|--noconftest tests/core/test_kpi_compute.py tests/core/test_kpi_catalogue_rates.py tests/core/test_kpi_percentile_large.py
intake|pipeline/core/intake.py,pipeline/core/pseudonym.py|tests/core/test_intake.py tests/core/test_pseudonymiser.py tests/core/test_pseudonym.py tests/worker/test_units.py tests/ingest/test_chain.py
scorecard|pipeline/payroll/scorecard.py|--noconftest tests/payroll/test_scorecard_edges.py tests/payroll/test_scorecard.py tests/payroll/test_scorecard_options.py tests/payroll/test_scorecards_inputs.py tests/payroll/policies/test_agent_card.py tests/payroll/policies/test_weighted_card.py tests/payroll/policies/test_card_100.py tests/payroll/policies/test_service_norms.py tests/payroll/policies/test_quality_bonus.py tests/payroll/policies/test_supervisor_card.py tests/payroll/policies/test_operator_standard.py
components_sql|pipeline/store/components_sql.py|tests/store/test_components_sql_text.py tests/store/test_components_sql_seconds.py tests/store/test_components_sql_boundaries.py tests/report/test_catalogue.py
'

wanted="$*"

echo "$GROUPS_TABLE" | while IFS='|' read -r name paths tests; do
    [ -n "$name" ] || continue
    case " ${wanted:-$name} " in *" $name "*) ;; *) continue ;; esac
    echo "== mutate: $name: $paths <- $tests ($(date -u +%H:%M:%S) UTC)"
    timeout "$MUTATE_TIMEOUT" "$BIN/mutmut" run --paths-to-mutate "$paths" --simple-output --no-progress \
        --runner "$BIN/python tests/mutate_pytest.py -x -q -p no:cacheprovider -m 'not integration and not slow' $tests"
    echo "== mutate: $name done, exit $? ($(date -u +%H:%M:%S) UTC; mutmut exit bits: 2 survived, 4 timed out)"
done
"$BIN/mutmut" results

