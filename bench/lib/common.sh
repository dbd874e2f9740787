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
