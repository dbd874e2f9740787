# Turns bench/target/grpc-machine.tsv and bench/target/grpc-results.tsv (written by
# bench/run-grpc.sh) into the report on stdout and the JSON file named by -v json=PATH.
BEGIN { FS = "\t" }

FNR == NR { machine[$1] = $2; mkeys[++nm] = $1; next }   # grpc-machine.tsv
FNR == 1 { for (i = 1; i <= NF; i++) col[i] = $i; ncol = NF; next }  # grpc-results.tsv header
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

# Faultbox's figure divided by the plain server's; "" when either is missing.
function ratio(c) {
  if (!has("faultbox", c) || !has("plain", c) || num("plain", c) + 0 == 0) return ""
  return num("faultbox", c) / num("plain", c)
}
function rtext(x) { return x == "" ? "-" : sprintf("%.2fx", x) }

function missing(s) { return s " " (r[s, "status"] == "" ? "not run" : (r[s, "status"] == "ok" ? "has no figure" : r[s, "status"])) }

# A target: Faultbox's figure for c compared with factor x the plain server's.
function target(label, c, op, factor,    x, verdict, why) {
  x = ratio(c)
  if (!has("faultbox", c)) { verdict = "SKIP"; why = missing("faultbox") }
  else if (!has("plain", c)) { verdict = "SKIP"; why = missing("plain") }
  else if (op == ">=") verdict = (x >= factor) ? "PASS" : "FAIL"
  else verdict = (x <= factor) ? "PASS" : "FAIL"
  if (why == "") why = sprintf("Faultbox %s vs plain %s = %.2fx", fmt(num("faultbox", c), c), fmt(num("plain", c), c), x)
  printf "%-4s  %-46s %s\n", verdict, label, why
  nt++
  tj[nt] = sprintf("{\"target\": %s, \"metric\": %s, \"versus\": \"plain\", \"op\": %s, \"factor\": %s, \"ratio\": %s, \"verdict\": %s}",
    jstr(label), jstr(c), jstr(op), factor, (x == "" ? "null" : sprintf("%.4f", x)), jstr(verdict))
  count[verdict]++
}

END {
  cc = "c" machine["concurrency"]
  print "Machine"
  printf "  cores: %s   cpu: %s   memory: %s   kernel: %s\n", machine["nproc"], machine["cpu"], machine["memory"], machine["kernel"]
  printf "  java:  %s\n", machine["java"]
  printf "  load:  %s\n", machine["client"]
  printf "  load average at start: %s   (%s)\n", machine["loadavg_at_start"], machine["date"]
  printf "  runs: %ss warm-up + %ss at concurrency %s over %s channel(s); %ss warm-up + %ss at concurrency 1\n",
    machine["warmup"], machine["seconds"], machine["concurrency"], machine["channels"], machine["warmup"], machine["seconds"]
  printf "  plain server executor: %s\n", machine["plain_executor"]
  print ""

  printf "%-9s %-11s %9s %11s %11s %11s %11s %9s %11s %11s %11s %8s %8s %7s\n", "server", "status", "launch_ms",
    "calls/s@" cc, "p50@" cc "_ms", "p99@" cc "_ms", "max@" cc "_ms", "calls/s@c1", "p50@c1_ms", "p99@c1_ms", "max@c1_ms",
    "rss_mib", "peak_mib", "errors"
  for (k = 1; k <= ns; k++) {
    s = servers[k]
    printf "%-9s %-11s %9s %11s %11s %11s %11s %9s %11s %11s %11s %8s %8s %7s\n", s, r[s, "status"], fmt(num(s, "launch_ms"), "launch_ms"),
      fmt(num(s, "rps_c50"), "rps_c50"), fmt(num(s, "p50_c50_ms"), "p50_c50_ms"), fmt(num(s, "p99_c50_ms"), "p99_c50_ms"),
      fmt(num(s, "max_c50_ms"), "max_c50_ms"), fmt(num(s, "rps_c1"), "rps_c1"), fmt(num(s, "p50_c1_ms"), "p50_c1_ms"),
      fmt(num(s, "p99_c1_ms"), "p99_c1_ms"), fmt(num(s, "max_c1_ms"), "max_c1_ms"),
      fmt(num(s, "rss_mib"), "rss_mib"), fmt(num(s, "rss_peak_mib"), "rss_peak_mib"), fmt(num(s, "errors"), "errors")
  }
  for (k = 1; k <= ns; k++) {
    s = servers[k]
    if (r[s, "note"] != "-" && r[s, "note"] != "") printf "  %s: %s\n", s, r[s, "note"]
  }
  print ""

  print "Faultbox relative to the plain server (Faultbox / plain; calls/s: higher is better, the rest: lower)"
  split("rps_c50 p50_c50_ms p99_c50_ms rps_c1 p50_c1_ms p99_c1_ms rss_mib launch_ms", metrics, " ")
  split("calls/s@" cc " p50@" cc " p99@" cc " calls/s@c1 p50@c1 p99@c1 rss launch", labels, " ")
  line1 = "  "; line2 = "  "
  for (i = 1; i <= 8; i++) {
    line1 = line1 sprintf("%12s", labels[i])
    line2 = line2 sprintf("%12s", rtext(ratio(metrics[i])))
  }
  print line1
  print line2
  print ""

  print "Target"
  target("throughput >= 0.8x the plain server's", "rps_c50", ">=", 0.8)
  printf "Targets: %d passed, %d failed, %d skipped\n", count["PASS"], count["FAIL"], count["SKIP"]
  print ""
  print "Figures are only meaningful on a quiet machine (the load client and the server share its cores)."

  # JSON
  printf "{\n  \"machine\": {" > json
  for (k = 1; k <= nm; k++) {
    key = mkeys[k]
    v = machine[key]
    printf "%s\n    %s: %s", (k > 1 ? "," : ""), jstr(key), (key ~ /^(nproc|seconds|warmup|concurrency|channels)$/ ? jval(v) : jstr(v)) > json
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
  printf "\n  },\n  \"ratios_faultbox_over_plain\": {" > json
  for (i = 1; i <= 8; i++) {
    x = ratio(metrics[i])
    printf "%s\n    %s: %s", (i > 1 ? "," : ""), jstr(metrics[i]), (x == "" ? "null" : sprintf("%.4f", x)) > json
  }
  printf "\n  },\n  \"targets\": [" > json
  for (k = 1; k <= nt; k++) printf "%s\n    %s", (k > 1 ? "," : ""), tj[k] > json
  printf "\n  ]\n}\n" > json
  close(json)
}
