#!/usr/bin/env bash
# Benchmarks Faultbox's Redis mock against redis-server 7 and jedis-mock with redis-benchmark,
# one server at a time on 127.0.0.1, then the RSS of Faultbox and redis-server holding 1M keys.
# See the Redis section of bench/README.md.
#
#   bench/run-redis.sh                       all three servers
#   bench/run-redis.sh faultbox redis        only some (faultbox, redis, jedis-mock)
#
# Report on stdout (also bench/target/redis-report.txt), raw CSV and logs in
# bench/target/logs/redis/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$BENCH_DIR/.." && pwd -P)
TARGET=$BENCH_DIR/target
LOGS=$TARGET/logs/redis

REQUESTS=${BENCH_REQUESTS:-200000}     # requests per redis-benchmark test
WARMUP=${BENCH_WARMUP:-100000}         # requests per test per pipeline depth first, discarded (JIT warm-up)
CLIENTS=${BENCH_CLIENTS:-50}           # redis-benchmark connections
KEYS=${BENCH_KEYS:-1000000}            # keys seeded before reading RSS
LAUNCH_TIMEOUT=${BENCH_LAUNCH_TIMEOUT:-60}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-300}  # seconds any one redis-benchmark or seeding run may take
FAULTBOX=${FAULTBOX:-./faultbox}       # launcher, relative to the repo root
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
TESTS=set,get,incr,lpush,lrange_100

SPEC=bench/specs/redis.star
JEDIS_MOCK_JAR=$TARGET/jedis-mock/jedis-mock-server.jar
ALL_SERVERS="faultbox redis jedis-mock"

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }
progress() { printf '[bench-redis] %s\n' "$*" >&2; }
die() { printf 'bench-redis: %s\n' "$*" >&2; exit 1; }

port_of() {
  case $1 in
    faultbox) echo 18379 ;; redis) echo 18380 ;; jedis-mock) echo 18381 ;;
  esac
}

SERVERS=""
for arg in "$@"; do
  case $arg in
    -h|--help) usage; exit 0 ;;
    faultbox|redis|jedis-mock) SERVERS="$SERVERS $arg" ;;
    *) usage >&2; die "unknown server '$arg' (choose from: $ALL_SERVERS)" ;;
  esac
done
selected=""
for s in $ALL_SERVERS; do
  case " $SERVERS " in *" $s "*) selected="$selected $s" ;; esac
done
SERVERS=${selected:-$ALL_SERVERS}
SERVERS=${SERVERS# }

for v in REQUESTS WARMUP CLIENTS KEYS LAUNCH_TIMEOUT RUN_TIMEOUT; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done

cd "$ROOT"
mkdir -p "$LOGS"

command -v ss >/dev/null || die "ss (iproute2) is missing"
command -v redis-benchmark >/dev/null || die "redis-benchmark is missing (Debian: apt-get install redis-tools)"
command -v redis-cli >/dev/null || die "redis-cli is missing (Debian: apt-get install redis-tools)"

# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"

# ---------------------------------------------------------------- results

# server, pipeline, test, requests/s ("-" when not measured)
RESULTS=$TARGET/redis-results.tsv
printf 'server\tpipeline\ttest\trps\n' > "$RESULTS"
RSS=$TARGET/redis-rss.tsv
printf 'server\tkeys\trss_mib\n' > "$RSS"
NOTES=$TARGET/redis-notes.txt
: > "$NOTES"

note() { printf '%s\n' "$*" >> "$NOTES"; progress "$*"; }

# ---------------------------------------------------------------- servers

prepare() { # server -> 0 when it can be launched; PREPARE_ERROR says why not
  PREPARE_ERROR=""
  case $1 in
    faultbox)
      progress "faultbox: preparing ($FAULTBOX plugins; builds the distribution if it is stale)"
      if ! "$FAULTBOX" plugins > "$LOGS/faultbox-plugins.log" 2>&1; then
        PREPARE_ERROR="'$FAULTBOX plugins' failed: $(tail -n 3 "$LOGS/faultbox-plugins.log" | tr '\n' ' ')"
        return 1
      fi
      ;;
    redis)
      command -v redis-server >/dev/null || { PREPARE_ERROR="redis-server is not installed"; return 1; }
      ;;
    jedis-mock)
      if [ ! -s "$JEDIS_MOCK_JAR" ] || [ -n "$(find "$BENCH_DIR/jedis-mock" -type f -newer "$JEDIS_MOCK_JAR" | head -n 1)" ]; then
        command -v mvn >/dev/null || { PREPARE_ERROR="mvn is missing (needed to build bench/jedis-mock)"; return 1; }
        progress "building bench/jedis-mock (mvn package)"
        if ! (cd "$BENCH_DIR/jedis-mock" && mvn -B -q -Dstyle.color=never package) > "$LOGS/build-jedis-mock.log" 2>&1; then
          PREPARE_ERROR="building bench/jedis-mock failed, see $LOGS/build-jedis-mock.log"
          return 1
        fi
      fi
      ;;
  esac
}

CURRENT_PIDS=""

launch() { # server port log; sets SERVER_PID
  case $1 in
    faultbox) "$FAULTBOX" run --log-limit 200 "$SPEC" > "$3" 2> "${3%.log}.err" & ;;
    redis)
      mkdir -p "$TARGET/redis-data"
      redis-server --port "$2" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --dir "$TARGET/redis-data" > "$3" 2>&1 &
      ;;
    jedis-mock) "$JAVA" -jar "$JEDIS_MOCK_JAR" "$2" > "$3" 2>&1 & ;;
  esac
  SERVER_PID=$!
}

trap 'stop_server ""' EXIT
trap 'progress "interrupted"; exit 130' INT TERM

# Waits until PING answers PONG; 1 when the server died, 2 on timeout.
await_ping() { # port
  local waited=0 limit=$(( LAUNCH_TIMEOUT * 10 ))
  until [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null || true)" = PONG ]; do
    alive "$SERVER_PID" || return 1
    [ "$waited" -lt "$limit" ] || return 2
    sleep 0.1
    waited=$(( waited + 1 ))
  done
}

# The pid that owns the listening socket: the JVM, not the launcher script.
server_pid() { # port
  local pid
  pid=$(listener_pid "$1")
  echo "${pid:-$SERVER_PID}"
}

# One redis-benchmark run: a row per test in the results.
warm_up() { # server port: the same tests at both depths, figures discarded, alike for every server
  [ "$WARMUP" -gt 0 ] || return 0
  progress "$1: warm-up, $WARMUP requests per test at -P 16 and -P 1"
  local p
  for p in 16 1; do
    timeout -k 5 "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$2" -t "$TESTS" -n "$WARMUP" \
      -c "$CLIENTS" -P "$p" -q > /dev/null 2>&1 || note "$1: warm-up at -P $p did not finish"
  done
}

benchmark() { # server port pipeline
  local out=$LOGS/$1-P$3.csv rc=0
  progress "$1: redis-benchmark -t $TESTS -n $REQUESTS -c $CLIENTS -P $3"
  timeout -k 5 "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$2" -t "$TESTS" -n "$REQUESTS" \
    -c "$CLIENTS" -P "$3" --csv > "$out" 2> "${out%.csv}.err" || rc=$?
  [ "$rc" = 0 ] || note "$1 -P $3: redis-benchmark exited $rc (124: timed out after ${RUN_TIMEOUT}s)"
  # "SET","78125.00",... -> SET<TAB>78125.00; LPUSH (needed to benchmark LRANGE) is a helper run
  awk -F'","' -v s="$1" -v p="$3" 'NR > 1 && $1 ~ /^"/ {
      t = substr($1, 2); if (t ~ /needed to benchmark/) next
      sub(/ .*/, "", t); printf "%s\t%s\t%s\t%s\n", s, p, t, $2 }' "$out" >> "$RESULTS"
}

# Seeds KEYS distinct string keys through redis-cli --pipe, then reads VmRSS.
seed_and_rss() { # server port
  local pid rss rc=0
  timeout 10 redis-cli -h 127.0.0.1 -p "$2" FLUSHALL > /dev/null || true
  progress "$1: seeding $KEYS keys (redis-cli --pipe)"
  awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) { k = "key:" i; v = "value:" i
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v } }' \
    | timeout -k 5 "$RUN_TIMEOUT" redis-cli -h 127.0.0.1 -p "$2" --pipe > "$LOGS/$1-seed.txt" 2>&1 || rc=$?
  [ "$rc" = 0 ] || note "$1: seeding failed (exit $rc), see $LOGS/$1-seed.txt"
  sleep 1
  pid=$(server_pid "$2")
  rss=$(mib "$pid" VmRSS)
  printf '%s\t%s\t%s\n' "$1" "$(timeout 10 redis-cli -h 127.0.0.1 -p "$2" DBSIZE 2>/dev/null || echo -)" "${rss:--}" >> "$RSS"
}

bench_server() { # server
  local name=$1 port rc=0
  port=$(port_of "$name")
  if port_busy "$port"; then note "$name: unavailable: port $port is in use by another process"; return 0; fi
  if ! prepare "$name"; then note "$name: unavailable: $PREPARE_ERROR"; return 0; fi
  progress "$name: launching on 127.0.0.1:$port"
  launch "$name" "$port" "$LOGS/$name.log"
  CURRENT_PIDS=$SERVER_PID
  await_ping "$port" || rc=$?
  if [ "$rc" != 0 ]; then
    note "$name: unavailable: $([ "$rc" = 1 ] && echo "exited before serving" || echo "no PONG within ${LAUNCH_TIMEOUT}s")"
    stop_server "$port"
    return 0
  fi
  local pid
  pid=$(server_pid "$port")
  [ "$pid" = "$SERVER_PID" ] || CURRENT_PIDS="$pid $SERVER_PID"
  warm_up "$name" "$port"
  benchmark "$name" "$port" 1
  benchmark "$name" "$port" 16
  case $name in faultbox|redis) seed_and_rss "$name" "$port" ;; esac
  alive "$pid" || note "$name: the server died during the run"
  stop_server "$port"
}

# ---------------------------------------------------------------- run and report

progress "servers: $SERVERS; $REQUESTS requests per test, $CLIENTS clients, -P 1 and -P 16"
for server in $SERVERS; do
  bench_server "$server"
done

{
  printf 'Redis: redis-benchmark -t %s -n %s -c %s (requests/s), on %s cores, %s\n' \
    "$TESTS" "$REQUESTS" "$CLIENTS" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  awk -F'\t' 'NR > 1 { k = $2 "\t" $3; rows[k] = 1; v[$1 "\t" k] = $4 }
    END {
      printf "%-4s %-11s %12s %12s %12s\n", "-P", "test", "faultbox", "redis", "jedis-mock"
      n = split("1 16", ps, " "); m = split("SET GET INCR LPUSH LRANGE_100", ts, " ")
      for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) {
        k = ps[i] "\t" ts[j]
        f = v["faultbox\t" k]; r = v["redis\t" k]; q = v["jedis-mock\t" k]
        printf "%-4s %-11s %12s %12s %12s\n", ps[i], ts[j], f == "" ? "-" : f, r == "" ? "-" : r, q == "" ? "-" : q
      }
    }' "$RESULTS"
  printf '\nRSS holding the seeded keys:\n'
  awk -F'\t' 'NR > 1 { printf "  %-10s %s keys, %s MiB\n", $1, $2, $3 }' "$RSS"
  printf '\nTargets:\n'
  awk -F'\t' 'NR > 1 { v[$1 "\t" $2 "\t" $3] = $4 }
    function check(label, a, b, want,   r) {
      if (a == "" || b == "" || b + 0 == 0) { printf "SKIP %s (a figure is missing)\n", label; return }
      r = a / b
      printf "%s %s: %.2fx (want >= %sx)\n", (r >= want ? "PASS" : "FAIL"), label, r, want
    }
    END {
      split("1 16", ps, " "); split("SET GET", ts, " ")
      for (i = 1; i <= 2; i++) for (j = 1; j <= 2; j++) {
        k = ps[i] "\t" ts[j]
        check(sprintf("%s -P %s: faultbox vs redis-server", ts[j], ps[i]), v["faultbox\t" k], v["redis\t" k], 0.5)
        check(sprintf("%s -P %s: faultbox vs jedis-mock", ts[j], ps[i]), v["faultbox\t" k], v["jedis-mock\t" k], 3)
      }
    }' "$RESULTS"
  if [ -s "$NOTES" ]; then printf '\nNotes:\n'; sed 's/^/  /' "$NOTES"; fi
} | tee "$TARGET/redis-report.txt"
progress "raw figures: $RESULTS, $RSS; logs: $LOGS"
