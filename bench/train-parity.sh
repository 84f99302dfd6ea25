#!/usr/bin/env bash
# Training parity with an independent PyTorch implementation (BENCHMARKS.md): the same tiny decoder, the same
# initial parameters (exported from the Java model by ExportInitialParams), the same hyperparameters and the same
# packed windows in the same order, trained by `refinery pretrain` and by bench/reference/gpt_reference.py; then
# their validation losses side by side.
# Data: the English pages (en-US) of the Debian Administrator's Handbook (bench/fetch-data.sh), through
# `refinery filter`, the first PARITY_DOCS kept documents by id; a 2,048-token BPE vocabulary learned on them;
# windows of the tiny model's context (32 + 1 tokens), a tenth of the documents held out for validation.
# Usage: bench/train-parity.sh [WORKERS]   (1, the default: batch 16, validation within 2% of the reference;
#        2: two workers of batch 8 averaging every 5 steps, within 5%; the reference always takes 16 per step)
# Environment: PARITY_DOCS (60), PARITY_STEPS (150), PARITY_WARMUP (20), PARITY_EVAL_EVERY (25, a multiple of
#              the averaging frequency 5), PARITY_VENV (the Python environment, created if missing: bench/.venv),
#              PARITY_LR (6e-4), PARITY_BATCH (windows per step: 16), PARITY_MODEL (conf/model-tiny.conf);
#              PARITY_PACKED and PARITY_TOKENIZER: windows packed for that model elsewhere (with a validation
#              split) and their tokenizer, instead of the handbook corpus; PARITY_TAG (w<WORKERS>): names the
#              run and its result files; PARITY_NO_BUILD (1: use the existing build).
# Exit 0 when every evaluation is within the tolerance, 1 when not. Results: bench/results/parity/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
workers=${1:-1}
out=bench/results/parity
per_step=${PARITY_BATCH:-16}
case $workers in
  1) batch=$per_step; tolerance=0.02 ;;
  2) batch=$((per_step / 2)); tolerance=0.05 ;;
  *) echo "usage: bench/train-parity.sh [1|2]" >&2; exit 2 ;;
esac
docs=${PARITY_DOCS:-60}
model=${PARITY_MODEL:-conf/model-tiny.conf}
packed=${PARITY_PACKED:-$out/packed-$docs}
tokenizer=${PARITY_TOKENIZER:-$out/tokenizer-$docs}
mkdir -p "$out"
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')

[[ ${PARITY_NO_BUILD:-0} == 1 ]] || mvn -B -q package -DskipTests
source bench/python-env.sh

# The handbook windows (unless PARITY_PACKED gives others), shared by both variants; each step is skipped when its
# output is complete.
handbook_windows() {
  bench/fetch-data.sh >/dev/null
  if [[ ! -f $out/filtered/_SUCCESS ]]; then
    bin/refinery filter --input bench/data/html/handbook/en-US --output "$out/filtered" --overwrite "${spark[@]}" 2>&1 | quiet
  fi
  if [[ ! -f $out/docs-$docs/docs.parquet ]]; then
    mkdir -p "$out/docs-$docs"
    "$py" - "$out/filtered/data" "$out/docs-$docs/docs.parquet" "$docs" <<'PY'
import sys, pyarrow.dataset as ds, pyarrow.parquet as pq
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = ds.dataset(src, format="parquet").to_table(columns=["id", "text"]).sort_by("id")
if t.num_rows < n:
    sys.exit(f"only {t.num_rows} documents survived the filter, {n} wanted")
pq.write_table(t.slice(0, n), dst)
PY
  fi
  if [[ ! -f $out/tokenizer-$docs/_SUCCESS ]]; then
    bin/refinery tokenizer --input "$out/docs-$docs" --output "$out/tokenizer-$docs" --overwrite \
      --set tokenizer.vocab_size=2048 "${spark[@]}" 2>&1 | quiet
  fi
  if [[ ! -f $out/packed-$docs/_SUCCESS ]]; then
    bin/refinery tokenize --input "$out/docs-$docs" --tokenizer "$out/tokenizer-$docs" --output "$packed" \
      --overwrite --conf conf/model-tiny.conf --set pack.validation_fraction=0.1 "${spark[@]}" 2>&1 | quiet
  fi
}
[[ -n ${PARITY_PACKED:-} ]] || handbook_windows
vocab=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["counts"]["vocab_size"])' "$tokenizer/manifest.json")

settings=(--conf "$model" --set model.vocab_size="$vocab" --set train.workers="$workers"
  --set train.batch_size_per_worker="$batch" --set train.averaging_frequency=5 --set train.learning_rate="${PARITY_LR:-6e-4}"
  --set train.warmup_steps="${PARITY_WARMUP:-20}" --set train.max_steps="${PARITY_STEPS:-150}"
  --set train.eval_every="${PARITY_EVAL_EVERY:-25}" "${spark[@]}")
tag=${PARITY_TAG:-w$workers}
echo "== corpus: $packed, vocabulary $vocab; $workers worker(s) x batch $batch; ${settings[*]}"
echo "== refinery pretrain"
if ! bin/refinery pretrain --data "$packed" --output "$out/run-$tag" --overwrite "${settings[@]}" \
    >"$out/pretrain-$tag.log" 2>&1; then
  quiet <"$out/pretrain-$tag.log" | tail -n 30; exit 1
fi
grep -o -E 'step [0-9]+/[0-9]+ .*|^pretrain: .*' "$out/pretrain-$tag.log"
echo "== initial parameters of the same model (Java), and its loss on the validation windows"
bench/run-java.sh ExportInitialParams "${settings[@]}" "$out/init-$tag" "$packed" 2>&1 | quiet
echo "== reference (PyTorch $("$py" -c 'import torch; print(torch.__version__)'))"
"$py" bench/reference/gpt_reference.py --params "$out/init-$tag" --data "$packed" --out "$out/reference-$tag.json"
echo "== side by side"
"$py" bench/reference/parity_table.py "$out/run-$tag" "$out/reference-$tag.json" "$tolerance" | tee "$out/parity-$tag.txt"
