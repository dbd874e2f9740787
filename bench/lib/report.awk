# Turns bench/target/machine.tsv and bench/target/results.tsv (written by bench/run.sh) into the
# report on stdout and the JSON file named by -v json=PATH.
BEGIN { FS = "\t" }

FNR == NR { machine[$1] = $2; mkeys[++nm] = $1; next }   # machine.tsv
FNR == 1 { for (i = 1; i <= NF; i++) col[i] = $i; ncol = NF; next }  # results.tsv header
{
  s = $1; servers[++ns] = s
  for (i = 1; i <= NF; i++) r[s, col[i]] = $i
}

function num(s, c) { return r[s, c] }
function has(s, c) { return r[s, "status"] == "ok" && r[s, c] != "-" && r[s, c] != "" }
function fmt(v, c) {
  if (v == "-" || v == "") return "-"
  if (c ~ /^rps/) return sprintf("%.0f", v)
  if (c ~ /_ms$/ && c != "launch_ms") return sprintf("%.3f", v)
  return v
}
function jstr(s) {
  gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s)
  return "\"" s "\""
}
function jval(v) { return (v == "-" || v == "") ? "null" : (v ~ /^-?[0-9]+(\.[0-9]+)?$/ ? v : jstr(v)) }

# Faultbox's figure divided by another server's; "" when either is missing.
function ratio(c, other) {
  if (!has("faultbox", c) || !has(other, c) || num(other, c) + 0 == 0) return ""
  return num("faultbox", c) / num(other, c)
}
function rtext(x) { return x == "" ? "-" : sprintf("%.2fx", x) }

function missing(s) { return s " " (r[s, "status"] == "" ? "not run" : (r[s, "status"] == "ok" ? "has no figure" : r[s, "status"])) }

# A target: Faultbox's figure for c compared with factor x the other server's.
function target(label, c, other, op, factor,    x, verdict, why) {
  x = ratio(c, other)
  if (!has("faultbox", c)) { verdict = "SKIP"; why = missing("faultbox") }
  else if (!has(other, c)) { verdict = "SKIP"; why = missing(other) }
  else if (op == ">=") verdict = (x >= factor) ? "PASS" : "FAIL"
  else if (op == "<=") verdict = (x <= factor) ? "PASS" : "FAIL"
  else verdict = (x < factor) ? "PASS" : "FAIL"
  if (why == "") why = sprintf("Faultbox %s vs %s %s = %.2fx", fmt(num("faultbox", c), c), other, fmt(num(other, c), c), x)
  printf "%-4s  %-46s %s\n", verdict, label, why
  nt++
  tj[nt] = sprintf("{\"target\": %s, \"metric\": %s, \"versus\": %s, \"op\": %s, \"factor\": %s, \"ratio\": %s, \"verdict\": %s}",
    jstr(label), jstr(c), jstr(other), jstr(op), factor, (x == "" ? "null" : sprintf("%.4f", x)), jstr(verdict))
  count[verdict]++
}

# The whole ./faultbox test examples/quickstart.star (start, three tests, exit) against raw Netty's
# launch to first request: a run of a small suite should cost little more than a bare server's start.
function quickstart_target(    q, x, verdict, why, label) {
  label = "quickstart run <= 1.5x raw Netty's launch"
  q = machine["quickstart_ms"]
  if (q == "" || q == "-") { verdict = "SKIP"; why = "quickstart not run (faultbox not selected)" }
  else if (!has("netty", "launch_ms")) { verdict = "SKIP"; why = missing("netty") }
  else {
    x = q / num("netty", "launch_ms")
    verdict = (x <= 1.5) ? "PASS" : "FAIL"
    why = sprintf("quickstart %s ms vs netty launch %s ms = %.2fx", q, num("netty", "launch_ms"), x)
  }
  printf "%-4s  %-46s %s\n", verdict, label, why
  nt++
  tj[nt] = sprintf("{\"target\": %s, \"metric\": \"quickstart_ms\", \"versus\": \"netty launch_ms\", \"op\": \"<=\", \"factor\": 1.5, \"ratio\": %s, \"verdict\": %s}",
    jstr(label), (x == "" ? "null" : sprintf("%.4f", x)), jstr(verdict))
  count[verdict]++
}

END {
  print "Machine"
  printf "  cores: %s   cpu: %s   memory: %s   kernel: %s\n", machine["nproc"], machine["cpu"], machine["memory"], machine["kernel"]
  printf "  java:  %s\n", machine["java"]
  printf "  wrk:   %s\n", machine["wrk"]
  printf "  load average at start: %s   (%s)\n", machine["loadavg_at_start"], machine["date"]
  if (machine["quickstart_ms"] != "") printf "  ./faultbox test examples/quickstart.star: %s ms (median of 3 runs: %s)\n", machine["quickstart_ms"], machine["quickstart_runs"]
  printf "  runs: %ss warm-up, then %ss wrk -t%s -c%s --latency and %ss wrk -t1 -c1 --latency\n",
    machine["warmup"], machine["seconds"], machine["threads"], machine["connections"], machine["seconds"]
  print ""

  c50 = "c" machine["connections"]
  printf "%-11s %-11s %9s %11s %11s %11s %9s %11s %11s %9s %9s %7s\n", "server", "status", "launch_ms",
    "req/s@" c50, "p50@" c50 "_ms", "p99@" c50 "_ms", "req/s@c1", "p50@c1_ms", "p99@c1_ms", "rss_mib", "peak_mib", "errors"
  for (k = 1; k <= ns; k++) {
    s = servers[k]
    printf "%-11s %-11s %9s %11s %11s %11s %9s %11s %11s %9s %9s %7s\n", s, r[s, "status"], fmt(num(s, "launch_ms"), "launch_ms"),
      fmt(num(s, "rps_c50"), "rps_c50"), fmt(num(s, "p50_c50_ms"), "p50_c50_ms"), fmt(num(s, "p99_c50_ms"), "p99_c50_ms"),
      fmt(num(s, "rps_c1"), "rps_c1"), fmt(num(s, "p50_c1_ms"), "p50_c1_ms"), fmt(num(s, "p99_c1_ms"), "p99_c1_ms"),
      fmt(num(s, "rss_mib"), "rss_mib"), fmt(num(s, "rss_peak_mib"), "rss_peak_mib"), fmt(num(s, "errors"), "errors")
  }
  for (k = 1; k <= ns; k++) {
    s = servers[k]
    if (r[s, "note"] != "-" && r[s, "note"] != "") printf "  %s: %s\n", s, r[s, "note"]
  }
  print ""

  print "Faultbox relative to the others (Faultbox / other; throughput: higher is better, the rest: lower)"
  printf "  %-14s %11s %11s %11s %9s %9s\n", "vs", "req/s@" c50, "p99@" c50, "p99@c1", "rss", "launch"
  split("netty mockserver wiremock", others, " ")
  for (k = 1; k <= 3; k++) {
    o = others[k]
    printf "  %-14s %11s %11s %11s %9s %9s\n", (o == "netty" ? "raw netty" : o), rtext(ratio("rps_c50", o)),
      rtext(ratio("p99_c50_ms", o)), rtext(ratio("p99_c1_ms", o)), rtext(ratio("rss_mib", o)), rtext(ratio("launch_ms", o))
  }
  print ""

  print "Targets"
  target("throughput >= 0.8x raw Netty", "rps_c50", "netty", ">=", 0.8)
  target("throughput >= 1.5x MockServer", "rps_c50", "mockserver", ">=", 1.5)
  target("throughput >= 7x WireMock", "rps_c50", "wiremock", ">=", 7)
  target("p99 at " c50 " <= 1.5x raw Netty's", "p99_c50_ms", "netty", "<=", 1.5)
  target("p99 at c1 <= 1.5x raw Netty's", "p99_c1_ms", "netty", "<=", 1.5)
  target("RSS <= 0.5x MockServer's", "rss_mib", "mockserver", "<=", 0.5)
  target("launch to first request <= 1.5x raw Netty's", "launch_ms", "netty", "<=", 1.5)
  quickstart_target()
  target("launch to first request faster than WireMock", "launch_ms", "wiremock", "<", 1)
  target("launch to first request faster than MockServer", "launch_ms", "mockserver", "<", 1)
  printf "Targets: %d passed, %d failed, %d skipped\n", count["PASS"], count["FAIL"], count["SKIP"]
  print ""
  print "Figures are only meaningful on a quiet machine (wrk and the server share its cores)."

  # JSON
  printf "{\n  \"machine\": {" > json
  for (k = 1; k <= nm; k++) {
    key = mkeys[k]
    v = machine[key]
    printf "%s\n    %s: %s", (k > 1 ? "," : ""), jstr(key), (key ~ /^(nproc|seconds|warmup|threads|connections)$/ ? jval(v) : jstr(v)) > json
  }
  printf "\n  },\n  \"servers\": {" > json
  for (k = 1; k <= ns; k++) {
    s = servers[k]
    printf "%s\n    %s: {", (k > 1 ? "," : ""), jstr(s) > json
    for (i = 2; i <= ncol; i++) {
      c = col[i]
      v = r[s, c]
      printf "%s%s: %s", (i > 2 ? ", " : ""), jstr(c), (c == "status" || c == "note" ? (v == "-" ? "null" : jstr(v)) : jval(v)) > json
    }
    printf "}" > json
  }
  printf "\n  },\n  \"ratios_faultbox_over\": {" > json
  for (k = 1; k <= 3; k++) {
    o = others[k]
    printf "%s\n    %s: {", (k > 1 ? "," : ""), jstr(o) > json
    split("rps_c50 p99_c50_ms p99_c1_ms rss_mib launch_ms", metrics, " ")
    for (i = 1; i <= 5; i++) {
      x = ratio(metrics[i], o)
      printf "%s%s: %s", (i > 1 ? ", " : ""), jstr(metrics[i]), (x == "" ? "null" : sprintf("%.4f", x)) > json
    }
    printf "}" > json
  }
  printf "\n  },\n  \"targets\": [" > json
  for (k = 1; k <= nt; k++) printf "%s\n    %s", (k > 1 ? "," : ""), tj[k] > json
  printf "\n  ]\n}\n" > json
  close(json)
}
