#!/usr/bin/env bash
# Benchmarks Faultbox's MongoDB mock (events on) against mongo-java-server's plain in-memory
# server, the engine it wraps: insert and find-by-_id throughput from the official Java driver
# with 8 client threads, one server at a time on 127.0.0.1; and the mock's launch → ready time.
# See the MongoDB section of bench/README.md.
#
#   bench/run-mongodb.sh                 both servers
#   bench/run-mongodb.sh faultbox        only one (faultbox, plain)
#
# Report on stdout (also bench/target/mongodb-report.txt), raw figures and logs in
# bench/target/logs/mongodb/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$BENCH_DIR/.." && pwd -P)
TARGET=$BENCH_DIR/target
LOGS=$TARGET/logs/mongodb
# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"

THREADS=${BENCH_THREADS:-8}            # driver threads
SECONDS_PER_PHASE=${BENCH_SECONDS:-10} # per phase, after a warm-up as long
LAUNCH_TIMEOUT=${BENCH_LAUNCH_TIMEOUT:-60}
FAULTBOX=${FAULTBOX:-./faultbox}       # launcher, relative to the repo root; builds the distribution
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
SPEC=bench/specs/mongodb.star
JAR=$TARGET/mongodb/mongodb-bench.jar
ALL_SERVERS="faultbox plain"

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
progress() { printf '[bench-mongodb] %s\n' "$*" >&2; }
die() { printf 'bench-mongodb: %s\n' "$*" >&2; exit 1; }
port_of() { case $1 in faultbox) echo 18417 ;; plain) echo 18418 ;; esac; }

SERVERS=""
for arg in "$@"; do
  case $arg in
    -h|--help) usage; exit 0 ;;
    faultbox|plain) SERVERS="$SERVERS $arg" ;;
    *) usage >&2; die "unknown server '$arg' (choose from: $ALL_SERVERS)" ;;
  esac
done
SERVERS=${SERVERS:-$ALL_SERVERS}
for v in THREADS SECONDS_PER_PHASE LAUNCH_TIMEOUT; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done

cd "$ROOT"
mkdir -p "$LOGS"
RESULTS=$LOGS/results.tsv
NOTES=$LOGS/notes.txt
printf 'server\top\tops_per_s\n' > "$RESULTS"
: > "$NOTES"
LAUNCH_MS=""
note() { printf '%s\n' "$*" >> "$NOTES"; progress "$*"; }

# The bench jar (plain server and load generator), rebuilt when its sources are newer.
if [ ! -s "$JAR" ] || [ -n "$(find "$BENCH_DIR/mongodb" -type f -newer "$JAR" | head -n 1)" ]; then
  progress "building bench/mongodb (mvn package)"
  (cd "$BENCH_DIR/mongodb" && mvn -B -q -Dstyle.color=never package) > "$LOGS/build.log" 2>&1 \
    || die "building bench/mongodb failed, see $LOGS/build.log"
fi

CURRENT_PIDS=""
trap 'stop_server ""' EXIT
trap 'progress "interrupted"; exit 130' INT TERM

# Waits until the port accepts a connection; LAUNCH_MS is the time since t0.
await_ready() { # port pid t0
  local limit=$(( $(now_us) + LAUNCH_TIMEOUT * 1000000 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    alive "$2" || return 1
    [ "$(now_us)" -lt "$limit" ] || return 2
    sleep 0.005
  done
  LAUNCH_MS=$(( ($(now_us) - $3) / 1000 ))
}

bench_server() { # server
  local name=$1 port t0 rc=0
  port=$(port_of "$name")
  if port_busy "$port"; then note "$name: unavailable: port $port is in use"; return 0; fi
  if [ "$name" = faultbox ]; then
    progress "faultbox: preparing ($FAULTBOX plugins; builds the distribution if it is stale)"
    "$FAULTBOX" plugins > "$LOGS/faultbox-plugins.log" 2>&1 || { note "faultbox: '$FAULTBOX plugins' failed"; return 0; }
  fi
  progress "$name: launching on 127.0.0.1:$port"
  t0=$(now_us)
  case $name in
    faultbox) "$FAULTBOX" run --log-limit 10 "$SPEC" > "$LOGS/faultbox.log" 2> "$LOGS/faultbox.err" & ;;
    plain) "$JAVA" -jar "$JAR" server "$port" > "$LOGS/plain.log" 2>&1 & ;;
  esac
  CURRENT_PIDS=$!
  await_ready "$port" "$CURRENT_PIDS" "$t0" || rc=$?
  if [ "$rc" != 0 ]; then
    note "$name: unavailable: $([ "$rc" = 1 ] && echo "exited before serving" || echo "not ready within ${LAUNCH_TIMEOUT}s")"
    stop_server "$port"
    return 0
  fi
  local jvm
  jvm=$(listener_pid "$port")
  [ -z "$jvm" ] || [ "$jvm" = "$CURRENT_PIDS" ] || CURRENT_PIDS="$jvm $CURRENT_PIDS"
  progress "$name: ready after ${LAUNCH_MS} ms; load: $THREADS threads, ${SECONDS_PER_PHASE}s per phase"
  [ "$name" = faultbox ] && printf 'faultbox\tlaunch_ms\t%s\n' "$LAUNCH_MS" >> "$RESULTS"
  if timeout -k 5 $(( SECONDS_PER_PHASE * 4 + 60 )) "$JAVA" -jar "$JAR" load "$port" "$THREADS" "$SECONDS_PER_PHASE" \
      > "$LOGS/$name-load.tsv" 2> "$LOGS/$name-load.err"; then
    awk -F'\t' -v s="$name" '{ printf "%s\t%s\t%s\n", s, $1, $2 }' "$LOGS/$name-load.tsv" >> "$RESULTS"
  else
    note "$name: the load run failed: $(tail -n 1 "$LOGS/$name-load.err" 2>/dev/null)"
  fi
  stop_server "$port"
}

progress "servers: $SERVERS"
for server in $SERVERS; do
  bench_server "$server"
done

{
  printf 'MongoDB: the Java sync driver, %s threads, %ss per phase (ops/s), on %s cores, %s\n' \
    "$THREADS" "$SECONDS_PER_PHASE" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  awk -F'\t' 'NR > 1 { v[$1 "\t" $2] = $3 }
    function check(label, a, b, want,   r) {
      if (a == "" || b == "" || b + 0 == 0) { printf "SKIP %s (a figure is missing)\n", label; return }
      r = a / b
      printf "%s %s: %.2fx (want >= %sx)\n", (r >= want ? "PASS" : "FAIL"), label, r, want
    }
    END {
      printf "%-12s %12s %12s\n", "op", "faultbox", "plain"
      split("insert find_by_id", ops, " ")
      for (i = 1; i <= 2; i++) {
        f = v["faultbox\t" ops[i]]; p = v["plain\t" ops[i]]
        printf "%-12s %12s %12s\n", ops[i], f == "" ? "-" : f, p == "" ? "-" : p
      }
      printf "\nTargets:\n"
      for (i = 1; i <= 2; i++) check(ops[i] ": faultbox vs plain", v["faultbox\t" ops[i]], v["plain\t" ops[i]], 0.8)
      l = v["faultbox\tlaunch_ms"]
      if (l == "") print "SKIP launch -> ready (no figure)"
      else printf "%s launch -> ready: %s ms (want <= 500 ms)\n", (l + 0 <= 500 ? "PASS" : "FAIL"), l
    }' "$RESULTS"
  if [ -s "$NOTES" ]; then printf '\nNotes:\n'; sed 's/^/  /' "$NOTES"; fi
} | tee "$TARGET/mongodb-report.txt"
progress "raw figures: $RESULTS; logs: $LOGS"
