#!/usr/bin/env bash
# Fine-tuning parity with an independent PyTorch implementation (BENCHMARKS.md, "Training parity with an
# independent PyTorch implementation"): `refinery sft` and bench/reference/gpt_reference.py --sft-run fine-tune the
# same base model on the same packed QA windows (loss mask, several conversations per window), and their masked
# validation losses are put side by side, from the loss before any step on.
# Data and base: the knowledge-extraction experiment's data for 200 people (bench/knowledge-extraction.sh with
# KE_CORPORA="", which prepares the data only); its augmented biographies packed again with a tenth held out, and
# the experiment's model pretrained on them by bench/train-parity.sh (itself checked against the reference).
# Usage: bench/sft-parity.sh
# Environment: SFT_PARITY_STEPS (100), SFT_PARITY_EVAL_WINDOWS (64), PARITY_VENV (bench/.venv).
# Exit 0 when every validation loss is within 2% of the reference's, 1 when not. Results: bench/results/parity/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=bench/results/parity
ke=bench/results/knowledge-extraction/n200
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')
mkdir -p "$out"

mvn -B -q package -DskipTests
source bench/python-env.sh
KE_PEOPLE=200 KE_CORPORA="" KE_NO_BUILD=1 bench/knowledge-extraction.sh
if [[ ! -f $out/packed-ke-aug200/_SUCCESS ]]; then
  bin/refinery tokenize --input "$ke/aug" --tokenizer "$ke/tok" --output "$out/packed-ke-aug200" --overwrite \
    --conf bench/knowledge-extraction-model.conf --set pack.validation_fraction=0.1 "${spark[@]}" 2>&1 | quiet
fi
echo "== base: the experiment's model pretrained 400 steps (and its own parity)"
PARITY_MODEL=bench/knowledge-extraction-model.conf PARITY_PACKED="$out/packed-ke-aug200" PARITY_TOKENIZER="$ke/tok" \
  PARITY_NO_BUILD=1 PARITY_BATCH=8 PARITY_LR=1e-3 PARITY_STEPS=400 PARITY_WARMUP=9 PARITY_EVAL_EVERY=50 \
  PARITY_TAG=ke-aug200 bench/train-parity.sh 1
base=$out/run-ke-aug200

echo "== refinery sft (QA of the train half; validation: the test half's conversations)"
if ! bin/refinery sft --model "$base" --data "$ke/packed-qa" --output "$out/sft-ke" --overwrite \
    --set train.workers=1 --set train.batch_size_per_worker=4 --set sft.train.max_steps="${SFT_PARITY_STEPS:-100}" \
    --set train.eval_every=20 --set train.eval_windows="${SFT_PARITY_EVAL_WINDOWS:-64}" "${spark[@]}" \
    >"$out/sft-ke.log" 2>&1; then
  quiet <"$out/sft-ke.log" | tail -n 30; exit 1
fi
grep -o -E 'step [0-9]+/[0-9]+ .*|^sft: .*' "$out/sft-ke.log"
echo "== the base model's parameters, and the reference fine-tuning from them"
bench/run-java.sh ExportInitialParams --model "$base" "$out/base-ke" 2>&1 | quiet
"$py" bench/reference/gpt_reference.py --params "$out/base-ke" --data "$ke/packed-qa" --sft-run "$out/sft-ke" \
  --out "$out/reference-sft-ke.json"
echo "== side by side"
"$py" bench/reference/parity_table.py "$out/sft-ke" "$out/reference-sft-ke.json" 0.02 | tee "$out/parity-sft-ke.txt"
