# Shared by bench/run.sh and bench/run-grpc.sh: clocks, processes, ports, memory.
# shellcheck shell=bash

now_us() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t=${EPOCHREALTIME/[.,]/}
    echo "$t"
  else
    echo $(( $(date +%s%N) / 1000 ))
  fi
}

# True while the process exists and is not a zombie.
alive() {
  local stat
  [ -r "/proc/$1/stat" ] || return 1
  read -r stat < "/proc/$1/stat" 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

port_busy() { [ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }

# The pid of the process listening on the port: the JVM itself, whatever launcher started it.
listener_pid() {
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}

# Every live descendant of a pid, deepest last (used when ss cannot name the listener).
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

mib() { # /proc status field -> MiB with one decimal
  awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || true
}

# Stops the processes in CURRENT_PIDS (SIGTERM, then SIGKILL after STOP_GRACE_TENTHS tenths of a
# second, 100 unless set), reaps them, and waits up to 10 s for the port (when given) to close.
# Needs the calling script's progress().
stop_server() { # [port]
  local pid waited=0 left
  [ -n "${CURRENT_PIDS:-}" ] || return 0
  for pid in $CURRENT_PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
  while :; do
    left=""
    for pid in $CURRENT_PIDS; do
      if alive "$pid"; then left="$left $pid"; fi
    done
    [ -n "$left" ] || break
    if [ "$waited" -ge "${STOP_GRACE_TENTHS:-100}" ]; then
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
  if [ -n "${1:-}" ]; then
    waited=0
    while port_busy "$1" && [ "$waited" -lt 100 ]; do sleep 0.1; waited=$(( waited + 1 )); done
    if port_busy "$1"; then progress "warning: port $1 is still in use"; fi
  fi
  return 0
}
