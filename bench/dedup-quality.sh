#!/usr/bin/env bash
# Dedup quality on real graded near-duplicates (BENCHMARKS.md): fetches the Debian Administrator's Handbook
# (26 locales) and the UDHR (500+ language variants) into bench/data/html/, then runs RealNearDuplicatesBenchmark:
# text from the project's HTML extractor, exact Jaccard of every pair by brute force, the dedup job on local
# Spark with the default settings, and pair precision / recall at the threshold. The report is written to
# bench/results/dedup-quality.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bench/fetch-data.sh >/dev/null
mkdir -p bench/results
status=0
mvn -B -q -pl data-pipeline,dedup test -Dtest=RealNearDuplicatesBenchmark -Drefinery.bench=true \
  -Dsurefire.failIfNoSpecifiedTests=false "$@" || status=$?
grep -v -E 'WARN|INFO|log4j' dedup/target/surefire-reports/ai.refinery.dedup.RealNearDuplicatesBenchmark-output.txt \
  | tee bench/results/dedup-quality.txt
exit $status
