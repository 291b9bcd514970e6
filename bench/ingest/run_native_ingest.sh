#!/usr/bin/env bash
# Native ingest load test: wrk posts the same 1000-line JSON batch over keep-alive connections to a release
# build of strata with the default fsync policy (batch: fsync before ack). Reports lines/s, MB/s, p50/p99 batch
# latency, server CPU-seconds per million lines and peak RSS. Loopback only.
#   DURATION=20 CONNECTIONS="4 16 64" FSYNC=batch bench/ingest/run_native_ingest.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${STRATA_BIN:-build/release/programs/strata}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-"4 16 64"}
FSYNC=${FSYNC:-batch}
LINES=${LINES:-1000}
WORK=$(mktemp -d /tmp/strata-bench.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 bench/ingest/make_body.py "$LINES" json > "$WORK/body.json"
BYTES=$(stat -c %s "$WORK/body.json")
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BIN" serve --data-dir "$WORK/data" --http-listen "127.0.0.1:$PORT" --wal-fsync "$FSYNC" \
  --max-head-bytes 16GiB --log-level warn 2>"$WORK/server.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

cpu_seconds() { awk '{print ($14 + $15) / 100}' "/proc/$PID/stat"; }
echo "# strata native ingest: $LINES lines/batch, $BYTES bytes/batch, fsync=$FSYNC, ${DURATION}s per run"
echo "| connections | lines/s | MB/s | p50 batch ms | p99 batch ms | server CPU-s per M lines | non-200 |"
echo "|---|---|---|---|---|---|---|"
for C in $CONNECTIONS; do
  CPU0=$(cpu_seconds)
  OUT=$(BODY_FILE="$WORK/body.json" wrk -t2 -c"$C" -d"${DURATION}s" -s bench/ingest/post_body.lua \
        "http://127.0.0.1:$PORT/api/v1/logs")
  CPU1=$(cpu_seconds)
  REQ=$(echo "$OUT" | sed -n 's/^requests=\([0-9]*\) .*/\1/p')
  SECS=$(echo "$OUT" | sed -n 's/.* seconds=\([0-9.]*\)/\1/p')
  P50=$(echo "$OUT" | sed -n 's/^p50_ms=\([0-9.]*\) .*/\1/p')
  P99=$(echo "$OUT" | sed -n 's/.*p99_ms=\([0-9.]*\)/\1/p')
  NON200=$(echo "$OUT" | sed -n 's/^non200=\([0-9]*\)/\1/p')
  awk -v r="$REQ" -v s="$SECS" -v l="$LINES" -v b="$BYTES" -v c="$C" -v p50="$P50" -v p99="$P99" \
      -v cpu0="$CPU0" -v cpu1="$CPU1" -v n="$NON200" 'BEGIN {
    lines = r * l; printf "| %d | %.0f | %.1f | %s | %s | %.2f | %s |\n", c, lines / s, r * b / s / 1e6, p50, p99,
      (cpu1 - cpu0) / (lines / 1e6), n }'
done
echo
echo "peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$PID/status)"
echo "WAL fsyncs: $(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^strata_wal_fsync_duration_seconds_count/ {print $2}')," \
     "groups: $(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^strata_wal_group_records_count/ {print $2}')"
