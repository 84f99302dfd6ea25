#!/usr/bin/env bash
# The filter benchmarks of BENCHMARKS.md:
#  (a) heuristic filters alone on extracted text, one thread (FilterBench);
#  (b) the whole WARC -> Parquet job through bin/refinery on one core (local[1]) at three input sizes 10x apart,
#      with wall time, job time (manifest start to end) and peak resident memory; then the largest on two cores.
# Usage: bench/filter-throughput.sh [SIZES_MB...]   (default: 4 40 400)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
sizes=("$@"); [[ ${#sizes[@]} -gt 0 ]] || sizes=(4 40 400)
bench/fetch-data.sh >/dev/null
mvn -B -q package -DskipTests
data=bench/data; results=bench/results; mkdir -p "$results"
for mb in "${sizes[@]}"; do
  if [[ ! -f "$data/warc-$mb/_PACKED" ]]; then
    rm -rf "$data/warc-$mb"
    bench/run-java.sh PackWarc "$data/warc-$mb" "$mb" 100 "$data/html/handbook" "$data/html/udhr"
  fi
done

echo "== (a) read+extract, language ID and the heuristic filters alone (one thread), on the ${sizes[1]:-${sizes[0]}} MB set"
bench/run-java.sh FilterBench "$data/warc-${sizes[1]:-${sizes[0]}}" 5 | tee "$results/filters-alone.txt"

run_job() { # cores size
  local cores=$1 mb=$2 out="$results/out-$2mb-$1core"
  /usr/bin/time -v bin/refinery filter --input "$data/warc-$mb" --output "$out" --overwrite \
    --set "spark.master=local[$cores]" >"$results/job-$mb-$cores.log" 2>"$results/job-$mb-$cores.time"
  python3 - "$out" "$data/warc-$mb" "$cores" "$mb" "$results/job-$mb-$cores.time" <<'PY'
import json, os, re, sys
from datetime import datetime
out, warc, cores, mb, timefile = sys.argv[1:]
m = json.load(open(os.path.join(out, "manifest.json")))
s = json.load(open(os.path.join(out, "stats.json")))
t = open(timefile).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", t).group(1)
parts = [float(p) for p in wall.split(":")]
wall_s = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
cpu_s = sum(float(re.search(r"%s time \(seconds\): ([\d.]+)" % k, t).group(1)) for k in ("User", "System"))
rss_mb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
f = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00"))
job_s = (f(m["finished_at"]) - f(m["started_at"])).total_seconds()
inb = s["input_bytes"] / 1e6
print(f"{mb:>5} MB  {cores} core(s)  docs {s['documents_in']:>7}  kept {s['documents_kept']:>6}  "
      f"job {job_s:7.1f} s  {inb/job_s/int(cores):5.2f} MB/s per core  "
      f"wall {wall_s:7.1f} s  {inb/wall_s/int(cores):5.2f} MB/s per core incl. JVM+Spark start  "
      f"CPU {cpu_s:7.1f} s  {inb/cpu_s:5.2f} MB/s per CPU-second (process total, start-up, JIT and GC included)  peak RSS {rss_mb:,.0f} MB")
PY
}
echo "== (b) whole job, WARC -> Parquet"
for mb in "${sizes[@]}"; do run_job 1 "$mb"; done | tee "$results/job-scaling.txt"
run_job 2 "${sizes[-1]}" | tee -a "$results/job-scaling.txt"
