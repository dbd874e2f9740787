#!/usr/bin/env bash
# Benchmarks Faultbox's Kafka mock against a real single-node KRaft broker (kafka_2.13, the
# version of the kafka-clients the plugin pins), one at a time on 127.0.0.1: launch to ready, then
# kafka-tools' ProducerPerformance (1 KiB records, acks=all) and ConsumerPerformance (one consumer
# reading them back). See the Kafka section of bench/README.md.
#
#   bench/run-kafka.sh                   both servers
#   bench/run-kafka.sh faultbox          only one (faultbox, kafka)
#
# Report on stdout (also bench/target/kafka-report.txt), raw figures and logs in
# bench/target/logs/kafka/.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$BENCH_DIR/.." && pwd -P)
TARGET=$BENCH_DIR/target
LOGS=$TARGET/logs/kafka

RECORDS=${BENCH_RECORDS:-300000}       # records produced, then consumed, in the measured runs
WARMUP=${BENCH_WARMUP:-100000}         # records produced and consumed first on another topic, discarded
RECORD_SIZE=${BENCH_RECORD_SIZE:-1024}
LAUNCH_TIMEOUT=${BENCH_LAUNCH_TIMEOUT:-60}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-300}  # seconds any one perf-tool run may take
FAULTBOX=${FAULTBOX:-./faultbox}       # launcher, relative to the repo root
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

SPEC=bench/specs/kafka.star
KAFKA_LIB=$TARGET/kafka-broker/lib
KAFKA_DIR=$TARGET/kafka-run            # server.properties and the log dirs, made anew each run
CONTROLLER_PORT=19193
ALL_SERVERS="faultbox kafka"

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
progress() { printf '[bench-kafka] %s\n' "$*" >&2; }
die() { printf 'bench-kafka: %s\n' "$*" >&2; exit 1; }

port_of() {
  case $1 in faultbox) echo 19092 ;; kafka) echo 19192 ;; esac
}

SERVERS=""
for arg in "$@"; do
  case $arg in
    -h|--help) usage; exit 0 ;;
    faultbox|kafka) SERVERS="$SERVERS $arg" ;;
    *) usage >&2; die "unknown server '$arg' (choose from: $ALL_SERVERS)" ;;
  esac
done
selected=""
for s in $ALL_SERVERS; do
  case " $SERVERS " in *" $s "*) selected="$selected $s" ;; esac
done
SERVERS=${selected:-$ALL_SERVERS}
SERVERS=${SERVERS# }

for v in RECORDS WARMUP RECORD_SIZE LAUNCH_TIMEOUT RUN_TIMEOUT; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'" ;; esac
done
[ "$RECORDS" -gt 0 ] || die "RECORDS must be positive"

cd "$ROOT"
mkdir -p "$LOGS"

command -v ss >/dev/null || die "ss (iproute2) is missing"
command -v kcat >/dev/null || die "kcat is missing (Debian: apt-get install kcat); it probes readiness"

# shellcheck source=lib/common.sh
. "$BENCH_DIR/lib/common.sh"

# ---------------------------------------------------------------- results

# server, metric, value
RESULTS=$TARGET/kafka-results.tsv
printf 'server\tmetric\tvalue\n' > "$RESULTS"
NOTES=$TARGET/kafka-notes.txt
: > "$NOTES"

note() { printf '%s\n' "$*" >> "$NOTES"; progress "$*"; }
result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$RESULTS"; }

# ---------------------------------------------------------------- servers

# kafka_2.13 and kafka-tools with their dependencies, fetched once by bench/kafka-broker.
ensure_kafka_lib() {
  if [ ! -s "$KAFKA_LIB/kafka-tools-4.1.1.jar" ] || [ "$BENCH_DIR/kafka-broker/pom.xml" -nt "$KAFKA_LIB" ]; then
    command -v mvn >/dev/null || { PREPARE_ERROR="mvn is missing (needed to fetch bench/kafka-broker)"; return 1; }
    progress "fetching kafka_2.13 and kafka-tools (bench/kafka-broker: mvn package)"
    rm -rf "$KAFKA_LIB"
    if ! (cd "$BENCH_DIR/kafka-broker" && mvn -B -q -Dstyle.color=never package) > "$LOGS/build-kafka-broker.log" 2>&1; then
      PREPARE_ERROR="fetching bench/kafka-broker failed, see $LOGS/build-kafka-broker.log"
      return 1
    fi
  fi
}

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
    kafka)
      if port_busy "$CONTROLLER_PORT"; then PREPARE_ERROR="controller port $CONTROLLER_PORT is in use"; return 1; fi
      # A fresh KRaft node: its properties, then the log dir formatted (kafka-storage format),
      # both before the timed launch, as an installed broker would have them.
      rm -rf "$KAFKA_DIR"
      mkdir -p "$KAFKA_DIR"
      cat > "$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$(port_of kafka),CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$(port_of kafka)
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
      local id
      id=$(timeout 60 "$JAVA" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2> /dev/null | tail -n 1)
      if ! timeout 60 "$JAVA" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$id" \
          -c "$KAFKA_DIR/server.properties" > "$LOGS/kafka-format.log" 2>&1; then
        PREPARE_ERROR="kafka-storage format failed, see $LOGS/kafka-format.log"
        return 1
      fi
      ;;
  esac
}

CURRENT_PIDS=""

launch() { # server log; sets SERVER_PID
  case $1 in
    faultbox) "$FAULTBOX" run --log-limit 200 "$SPEC" > "$2" 2> "${2%.log}.err" & ;;
    # The heap kafka-server-start.sh gives it; no slf4j binding on the class path, so it logs nothing.
    kafka) "$JAVA" -Xms1g -Xmx1g -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties" > "$2" 2>&1 & ;;
  esac
  SERVER_PID=$!
}

STOP_GRACE_TENTHS=200 # 20 s: a broker shuts down in order
trap 'stop_server ""' EXIT
trap 'progress "interrupted"; exit 130' INT TERM

# Ready = a client's metadata request is answered with a broker (kcat -L), not just a listening
# port. Sets READY_MS; 1 when the server died, 2 on timeout.
await_ready() { # port t0_us
  local deadline=$(( $2 + LAUNCH_TIMEOUT * 1000000 )) now
  while :; do
    if port_busy "$1" && timeout 5 kcat -b "127.0.0.1:$1" -L -m 2 2>/dev/null | grep -q '1 brokers'; then
      now=$(now_us)
      READY_MS=$(( (now - $2) / 1000 ))
      return 0
    fi
    alive "$SERVER_PID" || return 1
    now=$(now_us)
    [ "$now" -lt "$deadline" ] || return 2
    sleep 0.01
  done
}

# kafka-tools' perf clients, each in its own JVM as kafka-producer-perf-test.sh runs them.
produce() { # server port topic records out
  timeout -k 5 "$RUN_TIMEOUT" "$JAVA" -cp "$KAFKA_LIB/*" org.apache.kafka.tools.ProducerPerformance \
    --topic "$3" --num-records "$4" --record-size "$RECORD_SIZE" --throughput -1 \
    --producer-props "bootstrap.servers=127.0.0.1:$2" acks=all > "$5" 2> "${5%.txt}.err"
}

consume() { # server port topic records out
  timeout -k 5 "$RUN_TIMEOUT" "$JAVA" -cp "$KAFKA_LIB/*" org.apache.kafka.tools.ConsumerPerformance \
    --bootstrap-server "127.0.0.1:$2" --topic "$3" --messages "$4" --timeout 30000 > "$5" 2> "${5%.txt}.err"
}

bench_server() { # server
  local name=$1 port t0 rc=0 pid out line
  port=$(port_of "$name")
  if port_busy "$port"; then note "$name: unavailable: port $port is in use by another process"; return 0; fi
  if ! prepare "$name"; then note "$name: unavailable: $PREPARE_ERROR"; return 0; fi
  progress "$name: launching on 127.0.0.1:$port"
  t0=$(now_us)
  launch "$name" "$LOGS/$name.log"
  CURRENT_PIDS=$SERVER_PID
  await_ready "$port" "$t0" || rc=$?
  if [ "$rc" != 0 ]; then
    note "$name: unavailable: $([ "$rc" = 1 ] && echo "exited before serving" || echo "no metadata within ${LAUNCH_TIMEOUT}s")"
    stop_server "$port"
    return 0
  fi
  pid=$(listener_pid "$port")
  pid=${pid:-$SERVER_PID}
  [ "$pid" = "$SERVER_PID" ] || CURRENT_PIDS="$pid $SERVER_PID"
  progress "$name: ready after $READY_MS ms (pid $pid)"
  result "$name" ready_ms "$READY_MS"

  if [ "$WARMUP" -gt 0 ]; then
    progress "$name: warm-up, $WARMUP records produced and consumed on topic warmup"
    produce "$name" "$port" warmup "$WARMUP" "$LOGS/$name-warmup-produce.txt" || note "$name: warm-up produce failed"
    consume "$name" "$port" warmup "$WARMUP" "$LOGS/$name-warmup-consume.txt" || note "$name: warm-up consume failed"
  fi

  progress "$name: producing $RECORDS records of $RECORD_SIZE bytes, acks=all"
  out=$LOGS/$name-produce.txt
  rc=0; produce "$name" "$port" perf "$RECORDS" "$out" || rc=$?
  # "300000 records sent, 25000.0 records/sec (24.41 MB/sec), 1200.5 ms avg latency, ..., 2500 ms 99th, ..."
  line=$(grep "^$RECORDS records sent" "$out" | tail -n 1 || true)
  if [ "$rc" != 0 ] || [ -z "$line" ]; then
    note "$name: produce exited $rc (124: timed out after ${RUN_TIMEOUT}s), see $out"
  else
    result "$name" produce_rps "$(sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/' <<< "$line")"
    result "$name" produce_mbps "$(sed -E 's/.*records\/sec \(([0-9.]+) MB\/sec\).*/\1/' <<< "$line")"
    result "$name" produce_p99_ms "$(sed -E 's/.* ([0-9]+) ms 99th.*/\1/' <<< "$line")"
  fi

  progress "$name: consuming them with one consumer (a group of one)"
  out=$LOGS/$name-consume.txt
  rc=0; consume "$name" "$port" perf "$RECORDS" "$out" || rc=$?
  # start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  line=$(grep -E '^[0-9]{4}-' "$out" | tail -n 1 || true)
  if [ "$rc" != 0 ] || [ -z "$line" ]; then
    note "$name: consume exited $rc (124: timed out after ${RUN_TIMEOUT}s), see $out"
  else
    local n
    n=$(awk -F', *' '{ print $5 }' <<< "$line")
    [ "$n" = "$RECORDS" ] || note "$name: the consumer read $n records, not $RECORDS"
    result "$name" consume_rps "$(awk -F', *' '{ print $6 }' <<< "$line")"
    result "$name" consume_fetch_rps "$(awk -F', *' '{ print $10 }' <<< "$line")"
    result "$name" consume_rebalance_ms "$(awk -F', *' '{ print $7 }' <<< "$line")"
  fi
  result "$name" rss_mib "$(mib "$pid" VmRSS)"
  alive "$pid" || note "$name: the server died during the run"
  stop_server "$port"
}

# ---------------------------------------------------------------- run and report

PREPARE_ERROR=""
ensure_kafka_lib || die "$PREPARE_ERROR"
progress "servers: $SERVERS; $RECORDS records of $RECORD_SIZE bytes (warm-up $WARMUP)"
for server in $SERVERS; do
  bench_server "$server"
done

{
  printf 'Kafka: %s records of %s bytes, ProducerPerformance (acks=all) then ConsumerPerformance, kafka-tools 4.1.1, on %s cores, %s\n' \
    "$RECORDS" "$RECORD_SIZE" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  awk -F'\t' 'NR > 1 { v[$1 "\t" $2] = $3 }
    function f(s, m) { return (s "\t" m) in v ? v[s "\t" m] : "-" }
    END {
      printf "%-28s %12s %12s\n", "", "faultbox", "kafka"
      n = split("ready_ms produce_rps produce_mbps produce_p99_ms consume_rps consume_fetch_rps consume_rebalance_ms rss_mib", ms, " ")
      for (i = 1; i <= n; i++) printf "%-28s %12s %12s\n", ms[i], f("faultbox", ms[i]), f("kafka", ms[i])
    }' "$RESULTS"
  printf '\nTargets:\n'
  awk -F'\t' 'NR > 1 { v[$1 "\t" $2] = $3 }
    function check(label, a, b, want,   r) {
      if (a == "" || b == "" || b + 0 == 0) { printf "SKIP %s (a figure is missing)\n", label; return }
      r = a / b
      printf "%s %s: %.2fx (want >= %sx)\n", (r >= want ? "PASS" : "FAIL"), label, r, want
    }
    END {
      # Launch: the broker ready time over the mock one (faster is a larger ratio).
      check("ready: kafka ready_ms / faultbox ready_ms", v["kafka\tready_ms"], v["faultbox\tready_ms"], 20)
      check("produce records/s: faultbox vs kafka", v["faultbox\tproduce_rps"], v["kafka\tproduce_rps"], 0.5)
      check("consume records/s: faultbox vs kafka", v["faultbox\tconsume_rps"], v["kafka\tconsume_rps"], 0.5)
    }' "$RESULTS"
  if [ -s "$NOTES" ]; then printf '\nNotes:\n'; sed 's/^/  /' "$NOTES"; fi
} | tee "$TARGET/kafka-report.txt"
progress "raw figures: $RESULTS; logs: $LOGS"
