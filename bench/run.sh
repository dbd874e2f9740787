#!/usr/bin/env bash
# Benchmarks Faultbox's HTTP mock against WireMock, MockServer and a raw Netty server, all serving
# the same stub (GET /api/flags -> 200 application/json {"enabled":true,"variant":"B"}) on
# 127.0.0.1, one server at a time. See bench/README.md.
#
#   bench/run.sh                      all four servers
#   bench/run.sh wiremock netty       a subset (faultbox, wiremock, mockserver, netty)
#   BENCH_SECONDS=3 BENCH_WARMUP=2 bench/run.sh    a short smoke run
#
# Report on stdout (also bench/target/report.txt), JSON in bench/target/results.json, server
# logs and raw wrk output in bench/target/logs/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$BENCH_DIR/.." && pwd -P)
TARGET=$BENCH_DIR/target
LOGS=$TARGET/logs

DURATION=${BENCH_SECONDS:-10}          # seconds of each measured wrk run
WARMUP=${BENCH_WARMUP:-5}              # seconds of wrk warm-up before measuring (0: none)
THREADS=${BENCH_THREADS:-2}            # wrk threads for the throughput run
CONNECTIONS=${BENCH_CONNECTIONS:-50}   # wrk connections for the throughput run
LAUNCH_TIMEOUT=${BENCH_LAUNCH_TIMEOUT:-60}
POLL=${BENCH_POLL:-0.01}               # seconds between launch probes
FAULTBOX=${FAULTBOX:-./faultbox}       # launcher, relative to the repo root
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

WIREMOCK_ARTIFACT=org.wiremock:wiremock-standalone:3.13.2
MOCKSERVER_ARTIFACT=org.mock-server:mockserver-netty:5.15.0:jar:jar-with-dependencies
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
WIREMOCK_JAR=$TARGET/jars/wiremock-standalone-3.13.2.jar
MOCKSERVER_JAR=$TARGET/jars/mockserver-netty-5.15.0-jar-with-dependencies.jar
NETTY_JAR=$TARGET/netty-baseline/netty-baseline.jar

ALL_SERVERS="faultbox wiremock mockserver netty"
STUB_BODY='{"enabled":true,"variant":"B"}'

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }
progress() { printf '[bench] %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

port_of() {
  case $1 in
    faultbox) echo 18080 ;; wiremock) echo 18081 ;; mockserver) echo 18082 ;; netty) echo 18083 ;;
  esac
}

# ---------------------------------------------------------------- arguments and environment

SERVERS=""
for arg in "$@"; do
  case $arg in
    -h|--help) usage; exit 0 ;;
    faultbox|wiremock|mockserver|netty) SERVERS="$SERVERS $arg" ;;
    *) usage >&2; die "unknown server '$arg' (choose from: $ALL_SERVERS)" ;;
  esac
done
# Keep the canonical order and drop duplicates.
selected=""
for s in $ALL_SERVERS; do
  case " $SERVERS " in *" $s "*) selected="$selected $s" ;; esac
done
SERVERS=${selected:-$ALL_SERVERS}
SERVERS=${SERVERS# }

for v in DURATION WARMUP THREADS CONNECTIONS LAUNCH_TIMEOUT; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done
[ "$DURATION" -ge 1 ] || die "BENCH_SECONDS must be at least 1"

cd "$ROOT"
mkdir -p "$LOGS" "$TARGET/jars"

command -v curl >/dev/null || die "curl is missing"
command -v ss >/dev/null || die "ss (iproute2) is missing"
command -v "$JAVA" >/dev/null || die "java is missing (Java 17+ needed; set JAVA_HOME)"
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    progress "installing wrk with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
      > "$LOGS/apt-wrk.log" 2>&1 || die "could not install wrk, see $LOGS/apt-wrk.log"
  else
    die "wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk)"
  fi
fi

# ---------------------------------------------------------------- helpers

# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"

http_code() { # METHOD URL [curl args...]
  local method=$1 url=$2
  shift 2
  curl -s --noproxy '*' --max-time 1 -o /dev/null -w '%{http_code}' -X "$method" "$@" "$url" \
    2>/dev/null || true
}


# ---------------------------------------------------------------- results

RESULTS=$TARGET/results.tsv
printf 'server\tstatus\tport\tlaunch_ms\trps_c50\tp50_c50_ms\tp99_c50_ms\trps_c1\tp50_c1_ms\tp99_c1_ms\trss_mib\trss_peak_mib\terrors\tnote\n' > "$RESULTS"

record() { # server status port launch rps50 p50_50 p99_50 rps1 p50_1 p99_1 rss hwm errors note
  local IFS=$'\t'
  printf '%s\n' "$*" | tr -d '\r' >> "$RESULTS"
}

unavailable() { # server reason
  local reason
  reason=$(printf '%s' "$2" | tr '\t\n' '  ' | cut -c1-300)
  progress "$1: unavailable: $reason"
  record "$1" unavailable "$(port_of "$1")" - - - - - - - - - - "$reason"
}

# ---------------------------------------------------------------- preparing the servers

fetch_jar() { # artifact jar
  [ -s "$2" ] && return 0
  progress "fetching $1 from Maven Central"
  (cd "$TARGET" && mvn -B -q -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" \
      -Dartifact="$1" -DoutputDirectory="$TARGET/jars") > "$LOGS/fetch-$(basename "$2").log" 2>&1
  [ -s "$2" ]
}

build_netty() {
  if [ -s "$NETTY_JAR" ] && [ -z "$(find "$BENCH_DIR/netty-baseline" -type f -newer "$NETTY_JAR" | head -n 1)" ]; then
    return 0
  fi
  progress "building bench/netty-baseline (mvn package)"
  (cd "$BENCH_DIR/netty-baseline" && mvn -B -q -Dstyle.color=never package) \
    > "$LOGS/build-netty-baseline.log" 2>&1
  [ -s "$NETTY_JAR" ]
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
      grep -qiw http "$LOGS/faultbox-plugins.log" \
        || progress "faultbox: no 'http' in '$FAULTBOX plugins' (launching anyway to report why)"
      ;;
    wiremock)
      fetch_jar "$WIREMOCK_ARTIFACT" "$WIREMOCK_JAR" \
        || { PREPARE_ERROR="could not fetch $WIREMOCK_ARTIFACT (see $LOGS)"; return 1; }
      rm -rf "$TARGET/wiremock-root"
      mkdir -p "$TARGET/wiremock-root"
      cp -R "$BENCH_DIR/stubs/wiremock/mappings" "$TARGET/wiremock-root/"
      ;;
    mockserver)
      fetch_jar "$MOCKSERVER_ARTIFACT" "$MOCKSERVER_JAR" \
        || { PREPARE_ERROR="could not fetch $MOCKSERVER_ARTIFACT (see $LOGS)"; return 1; }
      ;;
    netty)
      build_netty || { PREPARE_ERROR="build failed, see $LOGS/build-netty-baseline.log"; return 1; }
      ;;
  esac
}

# Starts the server in the background; sets SERVER_PID (the launched process).
launch() { # server log
  local port
  port=$(port_of "$1")
  case $1 in
    faultbox)
      "$FAULTBOX" run bench/specs/flags.star > "$2" 2> "${2%.log}.err" &
      ;;
    wiremock)
      "$JAVA" -jar "$WIREMOCK_JAR" --port "$port" --bind-address 127.0.0.1 --disable-banner \
        --root-dir "$TARGET/wiremock-root" > "$2" 2>&1 &
      ;;
    mockserver)
      "$JAVA" -Dmockserver.localBoundIP=127.0.0.1 -jar "$MOCKSERVER_JAR" -serverPort "$port" \
        > "$2" 2>&1 &
      ;;
    netty)
      "$JAVA" -jar "$NETTY_JAR" "$port" > "$2" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
}

# Polls until GET /api/flags answers 200; MockServer first gets its expectation through its REST
# API. Sets LAUNCH_MS. Returns 1 when the process died, 2 on timeout.
await_first_request() { # server port pid t0_us
  local url=http://127.0.0.1:$2/api/flags stub_ready=1 deadline now
  deadline=$(( $4 + LAUNCH_TIMEOUT * 1000000 ))
  if [ "$1" = mockserver ]; then stub_ready=0; fi
  while :; do
    if [ "$stub_ready" = 0 ] && [ "$(http_code PUT "http://127.0.0.1:$2/mockserver/expectation" \
        -H 'Content-Type: application/json' --data-binary "@$BENCH_DIR/stubs/mockserver-expectation.json")" = 201 ]; then
      stub_ready=1
    fi
    if [ "$stub_ready" = 1 ] && [ "$(http_code GET "$url")" = 200 ]; then
      now=$(now_us)
      LAUNCH_MS=$(( (now - $4) / 1000 ))
      return 0
    fi
    alive "$3" || return 1
    now=$(now_us)
    [ "$now" -lt "$deadline" ] || return 2
    sleep "$POLL"
  done
}

# One wrk run; sets W_requests, W_duration_us, W_p50_us, W_p99_us, W_non2xx, ... from the
# BENCH_RESULT line printed by bench/lib/report.lua.
run_wrk() { # out-file threads connections seconds port
  local line kv rc=0
  W_requests=0 W_duration_us=1 W_p50_us=0 W_p99_us=0
  W_non2xx=0 W_connect_err=0 W_read_err=0 W_write_err=0 W_timeouts=0
  # In the background so that an interrupt is handled at once, not when wrk is done.
  timeout -k 5 $(( $4 + 30 )) wrk -t"$2" -c"$3" -d"$4s" --latency -s "$BENCH_DIR/lib/report.lua" \
    "http://127.0.0.1:$5/api/flags" > "$1" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  [ "$rc" = 0 ] || { progress "wrk failed, see $1"; return 1; }
  line=$(grep '^BENCH_RESULT ' "$1" | tail -n 1)
  [ -n "$line" ] || { progress "no result from wrk, see $1"; return 1; }
  for kv in ${line#BENCH_RESULT }; do
    printf -v "W_${kv%%=*}" '%s' "${kv#*=}"
  done
}

rps() { awk -v n="$W_requests" -v us="$W_duration_us" 'BEGIN { printf "%.1f", n / (us / 1e6) }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }
wrk_errors() { echo $(( W_non2xx + W_connect_err + W_read_err + W_write_err + W_timeouts )); }

# ---------------------------------------------------------------- stopping

CURRENT_PIDS=""
WRK_PID=""

stop_server() { # port
  local pid waited=0 left
  [ -n "$CURRENT_PIDS" ] || return 0
  for pid in $CURRENT_PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    left=""
    for pid in $CURRENT_PIDS; do
      if alive "$pid"; then left="$left $pid"; fi
    done
    [ -n "$left" ] || break
    if [ "$waited" -ge 100 ]; then # 10 s
      progress "still running after SIGTERM, sending SIGKILL to$left"
      for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$(( waited + 1 ))
  done
  for pid in $CURRENT_PIDS; do wait "$pid" 2>/dev/null || true; done
  CURRENT_PIDS=""
WRK_PID=""
  if [ -n "${1:-}" ]; then
    waited=0
    while port_busy "$1" && [ "$waited" -lt 100 ]; do sleep 0.1; waited=$(( waited + 1 )); done
    if port_busy "$1"; then progress "warning: port $1 is still in use"; fi
  fi
  return 0
}

cleanup() {
  if [ -n "$WRK_PID" ]; then kill -TERM "$WRK_PID" 2>/dev/null || true; fi
  stop_server "" || true
}
trap cleanup EXIT
trap 'progress "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- one server

bench_server() { # server
  local name=$1 port log t0 rc jvm body ctype note="" p rps50 p50_50 p99_50 err50 rss hwm
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
  t0=$(now_us)
  launch "$name" "$log"
  CURRENT_PIDS=$SERVER_PID
  rc=0
  await_first_request "$name" "$port" "$SERVER_PID" "$t0" || rc=$?
  if [ "$rc" != 0 ]; then
    local why
    if [ "$rc" = 1 ]; then why="exited before serving"; else why="no 200 within ${LAUNCH_TIMEOUT}s"; fi
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
  progress "$name: first 200 after ${LAUNCH_MS} ms (jvm pid $jvm)"

  body=$(curl -s --noproxy '*' --max-time 2 "http://127.0.0.1:$port/api/flags" || true)
  ctype=$(curl -s --noproxy '*' --max-time 2 -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/api/flags" || true)
  [ "$body" = "$STUB_BODY" ] || note="unexpected body: $body; "
  case $ctype in application/json*) ;; *) note="${note}unexpected Content-Type: $ctype; " ;; esac

  if [ "$WARMUP" -gt 0 ]; then
    progress "$name: warm-up ${WARMUP}s (wrk -t$THREADS -c$CONNECTIONS)"
    run_wrk "$LOGS/$name-warmup.txt" "$THREADS" "$CONNECTIONS" "$WARMUP" "$port" || true
  fi

  progress "$name: throughput ${DURATION}s (wrk -t$THREADS -c$CONNECTIONS)"
  if ! run_wrk "$LOGS/$name-c$CONNECTIONS.txt" "$THREADS" "$CONNECTIONS" "$DURATION" "$port"; then
    stop_server "$port"
    unavailable "$name" "wrk failed (see $LOGS/$name-c$CONNECTIONS.txt)"
    return 0
  fi
  rps50=$(rps); p50_50=$(ms "$W_p50_us"); p99_50=$(ms "$W_p99_us"); err50=$(wrk_errors)

  # Each load shape gets its own warm-up: the JIT recompiles for one connection's rhythm.
  if [ "$WARMUP" -gt 0 ]; then
    progress "$name: warm-up ${WARMUP}s (wrk -t1 -c1)"
    run_wrk "$LOGS/$name-c1-warmup.txt" 1 1 "$WARMUP" "$port" || true
  fi

  progress "$name: latency ${DURATION}s (wrk -t1 -c1)"
  if ! run_wrk "$LOGS/$name-c1.txt" 1 1 "$DURATION" "$port"; then
    stop_server "$port"
    unavailable "$name" "wrk failed (see $LOGS/$name-c1.txt)"
    return 0
  fi

  rss=$(mib "$jvm" VmRSS); hwm=$(mib "$jvm" VmHWM)
  alive "$jvm" || note="${note}server died during the load; "
  [ $(( err50 + $(wrk_errors) )) = 0 ] || note="${note}wrk counted errors (non-2xx/socket), see logs; "

  record "$name" ok "$port" "$LAUNCH_MS" "$rps50" "$p50_50" "$p99_50" "$(rps)" "$(ms "$W_p50_us")" \
    "$(ms "$W_p99_us")" "${rss:--}" "${hwm:--}" "$(( err50 + $(wrk_errors) ))" "${note:--}"
  progress "$name: $rps50 req/s at c$CONNECTIONS, p99 $p99_50 ms; p99 $(ms "$W_p99_us") ms at c1; RSS ${rss:-?} MiB"

  stop_server "$port"
}

# ---------------------------------------------------------------- machine and run

MACHINE=$TARGET/machine.tsv
{
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
  printf 'memory\t%s\n' "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'java\t%s\n' "$("$JAVA" -version 2>&1 | paste -sd'|' - | sed 's/|/ | /g')"
  printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//')"
  printf 'loadavg_at_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'servers\t%s\n' "$SERVERS"
  printf 'seconds\t%s\n' "$DURATION"
  printf 'warmup\t%s\n' "$WARMUP"
  printf 'threads\t%s\n' "$THREADS"
  printf 'connections\t%s\n' "$CONNECTIONS"
} > "$MACHINE"

progress "servers: $SERVERS; ${WARMUP}s warm-up, ${DURATION}s per measured run"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > 0.25 * n) }'; then
  progress "warning: load average is $load1 on $(nproc) cores: figures will not be representative"
fi

for server in $SERVERS; do
  bench_server "$server"
done

# The whole of a small suite run, start to exit: ./faultbox test examples/quickstart.star.
case " $SERVERS " in
  *" faultbox "*)
    runs=""
    for _ in 1 2 3; do
      t0=$(now_us)
      "$FAULTBOX" test examples/quickstart.star > "$LOGS/quickstart.log" 2>&1 || die "the quickstart failed; see $LOGS/quickstart.log"
      runs="$runs $(( ($(now_us) - t0) / 1000 ))"
    done
    median=$(printf '%s\n' $runs | sort -n | sed -n 2p)
    printf 'quickstart_ms\t%s\nquickstart_runs\t%s\n' "$median" "${runs# }" >> "$MACHINE"
    progress "faultbox: quickstart run in $median ms (runs:$runs)"
    ;;
esac

awk -f "$BENCH_DIR/lib/report.awk" -v json="$TARGET/results.json" "$MACHINE" "$RESULTS" \
  | tee "$TARGET/report.txt"
progress "JSON: $TARGET/results.json; logs: $LOGS"
