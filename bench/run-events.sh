#!/usr/bin/env bash
# What an event costs on the heap. A test holds an HTTP mock up (bench/specs/events.star) while
# wrk loads it; heap histograms (jcmd GC.class_histogram, each after a full GC) before and after
# the load give the bytes retained per request, every request being one event the test keeps.
# Then past --max-events: once the log is full, more load must not grow the heap.
#
#   bench/run-events.sh                              BENCH_SECONDS=5 of load per step
#   BENCH_SECONDS=2 bench/run-events.sh              a short smoke run
#
# Report on stdout (also bench/target/events-report.txt); histograms in bench/target/logs/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$BENCH_DIR/.." && pwd -P)
TARGET=$BENCH_DIR/target
LOGS=$TARGET/logs
SECONDS_LOAD=${BENCH_SECONDS:-5}
FAULTBOX=${FAULTBOX:-./faultbox}
PORT=18084
TARGET_BYTES=300           # issue 17: an event costs at most this for a typical HTTP request
CAP=${BENCH_MAX_EVENTS:-50000}

progress() { printf '[bench] %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"

command -v wrk >/dev/null || die "wrk is needed (apt-get install wrk)"
command -v jcmd >/dev/null || die "jcmd (a JDK) is needed"
mkdir -p "$LOGS"
cd "$ROOT"
port_busy "$PORT" && die "port $PORT is in use"
CURRENT_PIDS=""
trap 'stop_server "$PORT"' EXIT

histogram() { # pid file -> total bytes after a full GC
  jcmd "$1" GC.class_histogram > "$2"
  awk '/^Total/ { print $3 }' "$2"
}

load() { # seconds -> requests wrk completed
  wrk -t2 -c50 -d"${1}s" "http://127.0.0.1:$PORT/api/flags" | awk '/requests in/ { print $1 }'
}

top_growth() { # before after -> the classes that grew most, bytes per request
  awk -v n="$3" 'NR == FNR { if ($1 ~ /^[0-9]+:$/) before[$4] = $3; next }
    $1 ~ /^[0-9]+:$/ { d = $3 - before[$4]; if (d > 0) printf "%12d  %7.1f B/req  %s\n", d, d / n, $4 }' "$1" "$2" \
    | sort -rn | head -n 8
}

start() { # max-events
  "$FAULTBOX" test bench/specs/events.star --timeout 15m --max-events "$1" > "$LOGS/events-$1.log" 2>&1 &
  CURRENT_PIDS=$!
  for _ in $(seq 600); do port_busy "$PORT" && break; sleep 0.05; done
  port_busy "$PORT" || die "faultbox did not start; see $LOGS/events-$1.log"
  JVM=$(listener_pid "$PORT")
  load 1 >/dev/null # warm-up: the JIT and every lazy structure, before the first histogram
}

progress "build (if needed) and start: ./faultbox test bench/specs/events.star"
start 1000000
before=$(histogram "$JVM" "$LOGS/histo-before.txt")
n=$(load "$SECONDS_LOAD")
after=$(histogram "$JVM" "$LOGS/histo-after.txt")
per_event=$(( (after - before) / n ))
growth=$(top_growth "$LOGS/histo-before.txt" "$LOGS/histo-after.txt" "$n")
stop_server "$PORT"

progress "again with --max-events $CAP, loading past it"
start "$CAP"
load "$SECONDS_LOAD" >/dev/null # fills the log (and overflows it) first
full=$(histogram "$JVM" "$LOGS/histo-full.txt")
m=$(load "$SECONDS_LOAD")
later=$(histogram "$JVM" "$LOGS/histo-later.txt")
past_cap=$(( (later - full) / m ))
stop_server "$PORT"

verdict() { if [ "$1" -le "$2" ]; then echo PASS; else echo FAIL; fi; }
{
  echo "Event memory (an HTTP mock, GET /api/flags; heap after full GCs, jcmd GC.class_histogram)"
  echo
  printf '  %-44s %12s\n' "requests (= events kept)" "$n"
  printf '  %-44s %12s\n' "heap retained, bytes" "$(( after - before ))"
  printf '  %-44s %12s\n' "bytes per event" "$per_event"
  echo
  echo "  classes that grew most (bytes, per request):"
  printf '%s\n' "$growth" | sed 's/^/  /'
  echo
  printf '  %-44s %12s\n' "past --max-events $CAP: requests" "$m"
  printf '  %-44s %12s\n' "past --max-events: bytes per request" "$past_cap"
  echo
  echo "Targets"
  printf '  %-60s %s\n' "an event costs <= $TARGET_BYTES bytes ($per_event)" "$(verdict "$per_event" "$TARGET_BYTES")"
  printf '  %-60s %s\n' "past --max-events the log does not grow (<= 8 B/request: $past_cap)" "$(verdict "$past_cap" 8)"
} | tee "$TARGET/events-report.txt"
