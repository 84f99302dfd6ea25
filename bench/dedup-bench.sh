#!/usr/bin/env bash
# The dedup benchmarks of BENCHMARKS.md, on real text (the HTML that bench/fetch-data.sh fetches, extracted with
# the project's extractor) with planted near-duplicates at known edit rates (bench/.../DedupCorpus.java):
#  (a) MinHash signature features, plain Java, one thread (SignatureBench);
#  (b) the dedup job against Spark MLlib MinHashLSH + approxSimilarityJoin + GraphX connected components on the
#      same data in one Spark session, local[2], both scored against the exact pairs (DedupVsMllib);
#  (c) the whole `bin/refinery dedup` command (Parquet in, Parquet out) at three sizes 10x apart, local[2]:
#      job time, CPU time of the process, time per document.
# Every run uses the default settings (shuffle partitions sized from the input, small inputs settled on the driver).
# Usage: bench/dedup-bench.sh [COMPARE_DOCS [SCALE_DOCS...]]   (defaults: 25000; 10000 100000 1000000)
# Environment: DEDUP_BENCH_CHARS="MIN MAX" document length range of (c) in characters (default "2000 5000");
#              DEDUP_BENCH_TABLES MLlib numHashTables values for (b) (default 2,5); REFINERY_HEAP (default 4g);
#              DEDUP_BENCH_PARTS the parts to run (default "a b c").
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
compare=${1:-25000}
shift || true
sizes=("$@"); [[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000 1000000)
read -r min_chars max_chars <<<"${DEDUP_BENCH_CHARS:-2000 5000}"
bench/fetch-data.sh >/dev/null
mvn -B -q package -DskipTests
html=(bench/data/html/handbook bench/data/html/udhr)
results=bench/results; mkdir -p "$results"
parts=" ${DEDUP_BENCH_PARTS:-a b c} "
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }

if [[ $parts == *" a "* ]]; then
echo "== (a) MinHash signature features, one thread"
bench/run-java.sh SignatureBench 5000 3 "${html[@]}" | tee "$results/dedup-signature.txt"
fi

if [[ $parts == *" b "* ]]; then
echo "== (b) refinery dedup vs MLlib MinHashLSH + GraphX, $compare documents, local[2], default settings"
bench/run-java.sh DedupVsMllib "$compare" "${DEDUP_BENCH_TABLES:-2,5}" "$results" "${html[@]}" 2>&1 | quiet | tee "$results/dedup-vs-mllib.txt"
fi

[[ $parts == *" c "* ]] || exit 0
echo "== (c) bin/refinery dedup, local[2], $min_chars-$max_chars characters per document"
for n in "${sizes[@]}"; do
  data="bench/data/dedup-$n-$min_chars-$max_chars"
  if [[ ! -f "$data/_PLANTED" ]]; then
    bench/run-java.sh WriteDedupCorpus "$data" "$n" "$min_chars" "$max_chars" "${html[@]}" 2>&1 | quiet
  fi
  out="$results/dedup-out-$n"
  /usr/bin/time -v bin/refinery dedup --input "$data" --output "$out" --overwrite --set 'spark.master="local[2]"' \
    >"$results/dedup-job-$n.log" 2>"$results/dedup-job-$n.time"
  python3 - "$out" "$data" "$results/dedup-job-$n.time" <<'PY'
import json, os, re, sys
from datetime import datetime
out, data, timefile = sys.argv[1:]
m = json.load(open(os.path.join(out, "manifest.json")))
s = json.load(open(os.path.join(out, "stats.json")))
t = open(timefile).read()
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", t).group(1))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
f = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00"))
job = (f(m["finished_at"]) - f(m["started_at"])).total_seconds()
c = m["counts"]
n = c["in"]
mb = sum(os.path.getsize(os.path.join(data, x)) for x in os.listdir(data) if x.endswith(".parquet")) / 1e6
print(f"{n:>8} docs ({mb:7.1f} MB Parquet)  job {job:7.1f} s = {job / n * 1e6:7.1f} us/doc  "
      f"process CPU {cpu:7.1f} s = {cpu / n * 1e6:7.1f} us/doc  peak RSS {rss:,.0f} MB  "
      f"kept {c['kept']}  exact {c['exact-duplicate']}  near {c['near-duplicate']}  "
      f"edges {c['candidate_edges']}/{c['verified_edges']}  rounds {c['component_rounds']}")
PY
done | tee "$results/dedup-scaling-$min_chars-$max_chars.txt"
