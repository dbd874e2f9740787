#!/usr/bin/env bash
# Benchmarks Faultbox's typed gRPC mock against a plain grpc-java server, both answering
# bench.flags.v1.Flags/Get with the same Flag on 127.0.0.1, one server at a time; then streams:
# Watch (1,000 Flags per call, server streaming) and Chat (a 500-round bidi ping-pong), in
# messages/s, with Faultbox's ratio to the plain server and PASS at 0.8x or more. See the gRPC
# section of bench/README.md.
#
#   bench/run-grpc.sh                                  both servers
#   bench/run-grpc.sh plain                            only one (faultbox, plain)
#   BENCH_SECONDS=3 BENCH_WARMUP=2 bench/run-grpc.sh   a short smoke run
#
# Report on stdout (also bench/target/grpc-report.txt), JSON in bench/target/grpc-results.json,
# server logs and raw load-client output in bench/target/logs/grpc/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$BENCH_DIR/.." && pwd -P)
TARGET=$BENCH_DIR/target
LOGS=$TARGET/logs/grpc

DURATION=${BENCH_SECONDS:-10}          # seconds of each measured load run
WARMUP=${BENCH_WARMUP:-5}              # seconds of warm-up before each measured run (0: none)
CONCURRENCY=${BENCH_CONCURRENCY:-50}   # concurrent callers in the throughput run
CHANNELS=${BENCH_CHANNELS:-2}          # channels (HTTP/2 connections) they share
LAUNCH_TIMEOUT=${BENCH_LAUNCH_TIMEOUT:-60}
POLL=${BENCH_POLL:-0.01}               # seconds between launch probes
PLAIN_EXECUTOR=${BENCH_PLAIN_EXECUTOR:-direct}  # the plain server's executor: direct or pool
STREAM_SECONDS=${BENCH_STREAM_SECONDS:-$DURATION}     # seconds of each measured stream run
STREAM_CONCURRENCY=${BENCH_STREAM_CONCURRENCY:-4}     # concurrent streams in the stream runs
STREAM_MIN_RATIO=0.8                                  # Faultbox's messages/s over the plain server's to PASS
FAULTBOX=${FAULTBOX:-./faultbox}       # launcher, relative to the repo root
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

SPEC=bench/specs/grpc-flags.star
GRPC_JAR=$TARGET/grpc/grpc-bench.jar
DESCRIPTORS=$TARGET/grpc/flags.pb

ALL_SERVERS="faultbox plain"

usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }
progress() { printf '[bench-grpc] %s\n' "$*" >&2; }
die() { printf 'bench-grpc: %s\n' "$*" >&2; exit 1; }

port_of() {
  case $1 in
    faultbox) echo 18090 ;; plain) echo 18091 ;;
  esac
}

# ---------------------------------------------------------------- arguments and environment

SERVERS=""
for arg in "$@"; do
  case $arg in
    -h|--help) usage; exit 0 ;;
    faultbox|plain) SERVERS="$SERVERS $arg" ;;
    *) usage >&2; die "unknown server '$arg' (choose from: $ALL_SERVERS)" ;;
  esac
done
selected=""
for s in $ALL_SERVERS; do
  case " $SERVERS " in *" $s "*) selected="$selected $s" ;; esac
done
SERVERS=${selected:-$ALL_SERVERS}
SERVERS=${SERVERS# }

for v in DURATION WARMUP CONCURRENCY CHANNELS LAUNCH_TIMEOUT STREAM_SECONDS STREAM_CONCURRENCY; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done
[ "$DURATION" -ge 1 ] || die "BENCH_SECONDS must be at least 1"
[ "$CONCURRENCY" -ge 1 ] || die "BENCH_CONCURRENCY must be at least 1"
[ "$CHANNELS" -ge 1 ] || die "BENCH_CHANNELS must be at least 1"
case $PLAIN_EXECUTOR in direct|pool) ;; *) die "BENCH_PLAIN_EXECUTOR must be 'direct' or 'pool'" ;; esac

cd "$ROOT"
mkdir -p "$LOGS"

command -v ss >/dev/null || die "ss (iproute2) is missing"
command -v "$JAVA" >/dev/null || die "java is missing (Java 17+ needed; set JAVA_HOME)"

# ---------------------------------------------------------------- helpers

# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"


# A number or string field of the last JSON line in a file written by LoadClient.
jnum() { sed -n "s/.*\"$1\": \(-\{0,1\}[0-9][0-9.]*\).*/\1/p" "$2" | tail -n 1; }
jstr() { sed -n "s/.*\"$1\": \"\(\([^\"\\\\]\|\\\\.\)*\)\".*/\1/p" "$2" | tail -n 1; }

# ---------------------------------------------------------------- results

RESULTS=$TARGET/grpc-results.tsv
printf 'server\tstatus\tport\tlaunch_ms\trps_c50\tp50_c50_ms\tp99_c50_ms\tmax_c50_ms\trps_c1\tp50_c1_ms\tp99_c1_ms\tmax_c1_ms\trss_mib\trss_peak_mib\terrors\tnote\n' > "$RESULTS"

record() {
  local IFS=$'\t'
  printf '%s\n' "$*" | tr -d '\r' >> "$RESULTS"
}

unavailable() { # server reason
  local reason
  reason=$(printf '%s' "$2" | tr '\t\n' '  ' | cut -c1-300)
  progress "$1: unavailable: $reason"
  record "$1" unavailable "$(port_of "$1")" - - - - - - - - - - - - "$reason"
}

# ---------------------------------------------------------------- building and preparing

# bench/grpc: the proto's descriptor set, the plain server and the load client, in one jar.
build_grpc() {
  if [ -s "$GRPC_JAR" ] && [ -s "$DESCRIPTORS" ] \
      && [ -z "$(find "$BENCH_DIR/grpc" -type f -newer "$GRPC_JAR" | head -n 1)" ]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn is missing (needed to build bench/grpc)"
  progress "building bench/grpc (mvn package)"
  (cd "$BENCH_DIR/grpc" && mvn -B -q -Dstyle.color=never package) > "$LOGS/build-grpc.log" 2>&1 \
    || die "building bench/grpc failed, see $LOGS/build-grpc.log"
  if [ ! -s "$GRPC_JAR" ] || [ ! -s "$DESCRIPTORS" ]; then
    die "bench/grpc built no $GRPC_JAR or $DESCRIPTORS"
  fi
}

prepare() { # server -> 0 when it can be launched; PREPARE_ERROR says why not
  PREPARE_ERROR=""
  case $1 in
    faultbox)
      # Builds the distribution when needed, so that no build is timed as launch.
      progress "faultbox: preparing ($FAULTBOX plugins; builds the distribution if it is stale)"
      if ! "$FAULTBOX" plugins > "$LOGS/faultbox-plugins.log" 2>&1; then
        PREPARE_ERROR="'$FAULTBOX plugins' failed: $(tail -n 3 "$LOGS/faultbox-plugins.log" | tr '\n' ' ')"
        return 1
      fi
      grep -qw grpc "$LOGS/faultbox-plugins.log" \
        || progress "faultbox: no 'grpc' in '$FAULTBOX plugins' (launching anyway to report why)"
      ;;
    plain) ;;
  esac
}

# Starts the server in the background; sets SERVER_PID (the launched process).
launch() { # server log
  local port
  port=$(port_of "$1")
  case $1 in
    faultbox)
      "$FAULTBOX" run --log-limit 200 "$SPEC" > "$2" 2> "${2%.log}.err" &
      ;;
    plain)
      "$JAVA" -cp "$GRPC_JAR" dev.faultbox.bench.grpc.PlainServer "$port" "$PLAIN_EXECUTOR" \
        > "$2" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
}

# ---------------------------------------------------------------- stopping

CURRENT_PIDS=""
CLIENT_PID=""

stop_client() {
  if [ -n "$CLIENT_PID" ]; then
    kill -TERM "$CLIENT_PID" 2>/dev/null || true
    wait "$CLIENT_PID" 2>/dev/null || true
    CLIENT_PID=""
  fi
}


cleanup() {
  stop_client
  stop_server "" || true
}
trap cleanup EXIT
trap 'progress "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- launch and load

# Launches the server with a probe ready (a LoadClient JVM that tries one call every BENCH_POLL
# seconds, each on a new connection) and measures the milliseconds from the launch to the first
# successful call. Sets SERVER_PID, LAUNCH_MS and PROBE_MATCH/PROBE_REPLY. Returns 1 when the
# server died, 2 on timeout, 3 when the probe could not start.
launch_and_probe() { # server port log probe-out
  local t0 waited=0 rc ok success
  # Started directly (not through a function, which would be a subshell), so that $! is the JVM.
  "$JAVA" -cp "$GRPC_JAR" dev.faultbox.bench.grpc.LoadClient --target "127.0.0.1:$2" --probe \
    --timeout "$LAUNCH_TIMEOUT" --poll "$POLL" > "$4" 2> "${4%.txt}.err" &
  CLIENT_PID=$!
  # Its JVM is up and its classes loaded once it has printed READY (after a first, failed try).
  until grep -q '^READY' "$4" 2>/dev/null; do
    if ! alive "$CLIENT_PID" || [ "$waited" -ge 600 ]; then stop_client; return 3; fi
    sleep 0.05
    waited=$(( waited + 1 ))
  done
  if grep -q '"ok": true' "$4"; then stop_client; return 3; fi # something already answers there

  t0=$(now_us)
  launch "$1" "$3"
  CURRENT_PIDS=$SERVER_PID
  while alive "$CLIENT_PID"; do
    if ! alive "$SERVER_PID"; then stop_client; return 1; fi
    sleep 0.02
  done
  rc=0
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  ok=$(grep -c '"ok": true' "$4" || true)
  if [ "$rc" != 0 ] || [ "$ok" = 0 ]; then
    if alive "$SERVER_PID"; then return 2; else return 1; fi
  fi
  success=$(jnum success_epoch_us "$4")
  LAUNCH_MS=$(( (success - t0) / 1000 ))
  PROBE_MATCH=$(sed -n 's/.*"match": \([a-z]*\).*/\1/p' "$4" | tail -n 1)
  PROBE_REPLY=$(jstr reply "$4")
}

# One load-client run; sets L_rps, L_p50, L_p99, L_max, L_errors, L_error from its JSON line.
run_load() { # out-file concurrency channels seconds warmup port
  local rc=0
  L_rps=0 L_p50=0 L_p99=0 L_max=0 L_errors=0 L_error=""
  # Bounded twice: by the client's own clock, and by timeout should it hang.
  timeout -k 5 $(( $4 + $5 + 40 )) "$JAVA" -cp "$GRPC_JAR" dev.faultbox.bench.grpc.LoadClient \
    --target "127.0.0.1:$6" --concurrency "$2" --channels "$3" --seconds "$4" --warmup "$5" \
    > "$1" 2> "${1%.txt}.err" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  [ "$rc" = 0 ] || { progress "load client failed (exit $rc), see ${1%.txt}.err"; return 1; }
  L_rps=$(jnum calls_per_s "$1")
  [ -n "$L_rps" ] || { progress "no result from the load client, see $1"; return 1; }
  L_p50=$(jnum p50_ms "$1"); L_p99=$(jnum p99_ms "$1"); L_max=$(jnum max_ms "$1")
  L_errors=$(jnum errors "$1"); L_error=$(jstr first_error "$1")
}

# One stream-client run; sets S_rate (messages/s) and S_errors. Bounded by its clock and by timeout.
STREAMS=$TARGET/grpc-stream-results.tsv
printf 'server\tmode\tmessages_per_s\tmessages\terrors\tnote\n' > "$STREAMS"

run_stream() { # server mode port
  local out=$LOGS/$1-stream-$2.txt rc=0
  S_rate=0 S_errors=0
  progress "$1: stream $2: ${WARMUP}s warm-up, then ${STREAM_SECONDS}s over $STREAM_CONCURRENCY streams"
  timeout -k 5 $(( STREAM_SECONDS + WARMUP + 60 )) "$JAVA" -cp "$GRPC_JAR" dev.faultbox.bench.grpc.StreamClient \
    --target "127.0.0.1:$3" --mode "$2" --seconds "$STREAM_SECONDS" --warmup "$WARMUP" \
    --concurrency "$STREAM_CONCURRENCY" --rounds 500 > "$out" 2> "${out%.txt}.err" &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  S_rate=$(jnum messages_per_s "$out"); S_errors=$(jnum errors "$out")
  if [ "$rc" != 0 ] || [ -z "$S_rate" ]; then
    printf '%s\t%s\t-\t-\t-\t%s\n' "$1" "$2" "stream client failed (exit $rc), see $out" >> "$STREAMS"
    return 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$S_rate" "$(jnum messages "$out")" "$S_errors" \
    "$(jstr first_error "$out" || true)" >> "$STREAMS"
  progress "$1: stream $2: $S_rate messages/s, $S_errors errors"
}

# ---------------------------------------------------------------- one server

bench_server() { # server
  local name=$1 port log rc jvm p note="" why f
  local rps50 p50_50 p99_50 max50 err50 rss hwm errors
  port=$(port_of "$name")
  log=$LOGS/$name.log

  if port_busy "$port"; then
    unavailable "$name" "port $port is already in use by another process"
    return 0
  fi
  if ! prepare "$name"; then
    unavailable "$name" "$PREPARE_ERROR"
    return 0
  fi

  progress "$name: launching on 127.0.0.1:$port"
  rc=0
  launch_and_probe "$name" "$port" "$log" "$LOGS/$name-probe.txt" || rc=$?
  if [ "$rc" != 0 ]; then
    case $rc in
      1) why="exited before serving" ;;
      2) why="no successful call within ${LAUNCH_TIMEOUT}s" ;;
      *) why="the launch probe did not start (see $LOGS/$name-probe.err)" ;;
    esac
    # The last meaningful line the server printed says why (Faultbox: stderr).
    for f in "${log%.log}.err" "$log"; do
      if [ -s "$f" ]; then
        why="$why: $(grep -v '^[[:space:]]*$' "$f" | tail -n 1 || true)"
        break
      fi
    done
    stop_server "$port"
    unavailable "$name" "$why"
    return 0
  fi

  # The JVM, not a launcher script: the process that owns the listening socket.
  jvm=$(listener_pid "$port")
  if [ -z "$jvm" ]; then
    for p in $SERVER_PID $(descendants "$SERVER_PID"); do
      if [ "$(cat "/proc/$p/comm" 2>/dev/null || true)" = java ]; then jvm=$p; fi
    done
  fi
  jvm=${jvm:-$SERVER_PID}
  [ "$jvm" = "$SERVER_PID" ] || CURRENT_PIDS="$jvm $SERVER_PID"
  progress "$name: first successful call after ${LAUNCH_MS} ms (jvm pid $jvm)"
  [ "$PROBE_MATCH" = true ] || note="unexpected reply: $PROBE_REPLY; "

  progress "$name: throughput: ${WARMUP}s warm-up, then ${DURATION}s at concurrency $CONCURRENCY over $CHANNELS channel(s)"
  if ! run_load "$LOGS/$name-c$CONCURRENCY.txt" "$CONCURRENCY" "$CHANNELS" "$DURATION" "$WARMUP" "$port"; then
    stop_server "$port"
    unavailable "$name" "load client failed (see $LOGS/$name-c$CONCURRENCY.err)"
    return 0
  fi
  rps50=$L_rps p50_50=$L_p50 p99_50=$L_p99 max50=$L_max err50=$L_errors
  [ -z "$L_error" ] || note="${note}c$CONCURRENCY: $L_error; "

  # Each load shape gets its own warm-up: the JIT recompiles for one caller's rhythm.
  progress "$name: latency: ${WARMUP}s warm-up, then ${DURATION}s at concurrency 1"
  if ! run_load "$LOGS/$name-c1.txt" 1 1 "$DURATION" "$WARMUP" "$port"; then
    stop_server "$port"
    unavailable "$name" "load client failed (see $LOGS/$name-c1.err)"
    return 0
  fi
  [ -z "$L_error" ] || note="${note}c1: $L_error; "

  rss=$(mib "$jvm" VmRSS); hwm=$(mib "$jvm" VmHWM)
  alive "$jvm" || note="${note}server died during the load; "
  errors=$(( err50 + L_errors ))
  [ "$errors" = 0 ] || note="${note}calls failed, see $LOGS; "

  record "$name" ok "$port" "$LAUNCH_MS" "$rps50" "$p50_50" "$p99_50" "$max50" "$L_rps" "$L_p50" \
    "$L_p99" "$L_max" "${rss:--}" "${hwm:--}" "$errors" "${note:--}"

  run_stream "$name" watch "$port" || true
  run_stream "$name" chat "$port" || true
  progress "$name: $rps50 calls/s at c$CONCURRENCY, p99 $p99_50 ms; p99 $L_p99 ms at c1; RSS ${rss:-?} MiB"

  stop_server "$port"
}

# ---------------------------------------------------------------- machine and run

build_grpc

MACHINE=$TARGET/grpc-machine.tsv
{
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
  printf 'memory\t%s\n' "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'java\t%s\n' "$("$JAVA" -version 2>&1 | paste -sd'|' - | sed 's/|/ | /g')"
  printf 'client\t%s\n' "bench/grpc LoadClient (grpc-java 1.85.0, Netty transport, async unary calls)"
  printf 'loadavg_at_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'servers\t%s\n' "$SERVERS"
  printf 'seconds\t%s\n' "$DURATION"
  printf 'warmup\t%s\n' "$WARMUP"
  printf 'concurrency\t%s\n' "$CONCURRENCY"
  printf 'channels\t%s\n' "$CHANNELS"
  printf 'plain_executor\t%s\n' "$PLAIN_EXECUTOR"
} > "$MACHINE"

progress "servers: $SERVERS; ${WARMUP}s warm-up, ${DURATION}s per measured run"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > 0.25 * n) }'; then
  progress "warning: load average is $load1 on $(nproc) cores: figures will not be representative"
fi

for server in $SERVERS; do
  bench_server "$server"
done

awk -f "$BENCH_DIR/lib/report-grpc.awk" -v json="$TARGET/grpc-results.json" "$MACHINE" "$RESULTS" \
  | tee "$TARGET/grpc-report.txt"

# Streams: Faultbox's messages/s against the plain server's, PASS at STREAM_MIN_RATIO or more.
awk -F'\t' -v min="$STREAM_MIN_RATIO" '
  NR == 1 { next }
  { rate[$1 "/" $2] = $3; errs[$1 "/" $2] = $5 }
  END {
    printf "\nStreams (messages/s; Watch: 1,000 per call; Chat: 500-round ping-pong)\n"
    printf "%-6s %14s %14s %7s  %s\n", "mode", "faultbox", "plain", "ratio", "verdict"
    split("watch chat", modes, " ")
    for (i = 1; i <= 2; i++) {
      m = modes[i]; f = rate["faultbox/" m]; p = rate["plain/" m]
      if (f == "" || f == "-" || p == "" || p == "-" || p + 0 == 0) {
        printf "%-6s %14s %14s %7s  %s\n", m, (f == "" ? "-" : f), (p == "" ? "-" : p), "-", "n/a (a run is missing)"
        continue
      }
      r = f / p
      verdict = (r >= min && errs["faultbox/" m] + 0 == 0) ? "PASS" : "FAIL"
      printf "%-6s %14.0f %14.0f %7.2f  %s (>= %.1fx)\n", m, f, p, r, verdict, min
    }
  }' "$STREAMS" | tee -a "$TARGET/grpc-report.txt"
progress "JSON: $TARGET/grpc-results.json; logs: $LOGS"
