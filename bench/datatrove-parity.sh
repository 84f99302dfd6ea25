#!/usr/bin/env bash
# The datatrove parity benchmark of BENCHMARKS.md: runs datatrove's own Gopher repetition, Gopher quality, C4
# (terminal-punctuation rule off, as FineWeb) and FineWeb filters, default arguments, on the parity corpus
# (ParityCorpus: the build's corpora plus the Debian handbook pages and e-mail messages of bench/fetch-data.sh),
# then Refinery's stages in both filter.definitions modes on the same texts, and prints the agreement per filter,
# the disagreements by rule and examples.
#
# datatrove runs from a scratch Python virtual environment (never a project dependency):
#   DATATROVE_VENV   where to create it (default: a temporary folder; reused when it already has datatrove)
#   DATATROVE_SPEC   what pip installs (default: datatrove==0.10.0; a source folder works too)
#   UPDATE_FIXTURE=1 also rewrites data-pipeline/src/test/resources/parity/datatrove-decisions.tsv, the
#                    decisions on the build's corpora that DatatroveParityTest checks in CI
# Usage: bench/datatrove-parity.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bench/fetch-data.sh >/dev/null
mvn -B -q -pl data-pipeline -am test-compile
mvn -B -q -pl data-pipeline dependency:build-classpath -Dmdep.outputFile=target/cp.txt
results=bench/results; mkdir -p "$results"
venv=${DATATROVE_VENV:-$(mktemp -d)/venv}
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import datatrove, spacy" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "${DATATROVE_SPEC:-datatrove==0.10.0}" spacy
fi
"$venv/bin/pip" list 2>/dev/null | grep -i -E "^(datatrove|spacy) " | tee "$results/parity-versions.txt"
java_main() {
  java -Xmx2g -Drefinery.corpora=data-pipeline/target/corpora \
    -cp "data-pipeline/target/classes:data-pipeline/target/test-classes:$(cat data-pipeline/target/cp.txt)" \
    ai.refinery.pipeline.filter.DatatroveParityMain "$@"
}
extra=(--handbook bench/data/html/handbook --mail bench/data/mail)
java_main export "$results/parity-corpus.jsonl" "${extra[@]}"
time "$venv/bin/python" bench/datatrove_parity.py "$results/parity-corpus.jsonl" "$results/parity-datatrove.tsv"
fixture=()
[[ "${UPDATE_FIXTURE:-0}" == 1 ]] && fixture=(--fixture data-pipeline/src/test/resources/parity/datatrove-decisions.tsv)
java_main compare "$results/parity-datatrove.tsv" "${extra[@]}" "${fixture[@]}" | tee "$results/parity.txt"
