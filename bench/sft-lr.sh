#!/usr/bin/env bash
# Fine-tuning learning rate on a tiny pretrained model (BENCHMARKS.md, "Fine-tuning: learning rate"): bios of
# SFT_PEOPLE people (5 rephrasings each, permuted sentences, full names) pretrain the tiny model; their QA rows
# (rephrase qa, half the people in the test split) are packed; `refinery sft` fine-tunes the same base at each
# learning rate for the default 3 epochs on the train half; then the masked validation loss and token accuracy on
# the test half's conversations (from the sft run's stats.json) and `refinery eval-qa` on both halves.
# Usage: bench/sft-lr.sh [LR ...]   (default: 5e-5 2e-4 6e-4 2e-3)
# Environment: SFT_PEOPLE (200), SFT_PRETRAIN_STEPS (600), SFT_NO_BUILD (1: use the existing build).
# Results: bench/results/sft-lr/summary.tsv.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
lrs=("$@")
[[ ${#lrs[@]} -gt 0 ]] || lrs=(5e-5 2e-4 6e-4 2e-3)
people=${SFT_PEOPLE:-200}
steps=${SFT_PRETRAIN_STEPS:-600}
out=bench/results/sft-lr
mkdir -p "$out"
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }
done_() { [[ -f "$1/_SUCCESS" ]]; }
[[ ${SFT_NO_BUILD:-0} == 1 ]] || mvn -B -q package -DskipTests

done_ "$out/bios" || bin/refinery bios --people "$people" --seed 7 --output "$out/bios" --overwrite "${spark[@]}" 2>&1 | quiet
done_ "$out/bios-aug" || bin/refinery rephrase --input "$out/bios" --output "$out/bios-aug" --overwrite "${spark[@]}" \
  --set rephrase.multi=5 --set rephrase.permute=true --set rephrase.fullname=true 2>&1 | quiet
done_ "$out/qa" || bin/refinery rephrase --input "$out/bios" --output "$out/qa" --overwrite "${spark[@]}" \
  --set rephrase.rephraser=qa 2>&1 | quiet
done_ "$out/tok" || bin/refinery tokenizer --input "$out/bios-aug" --output "$out/tok" --overwrite "${spark[@]}" \
  --set tokenizer.vocab_size=1024 2>&1 | quiet
done_ "$out/packed-bios" || bin/refinery tokenize --input "$out/bios-aug" --tokenizer "$out/tok" \
  --output "$out/packed-bios" --overwrite --conf conf/model-tiny.conf --set pack.validation_fraction=0.02 \
  "${spark[@]}" 2>&1 | quiet
done_ "$out/packed-qa" || bin/refinery tokenize --input "$out/qa" --tokenizer "$out/tok" --output "$out/packed-qa" \
  --overwrite --conf conf/model-tiny.conf "${spark[@]}" 2>&1 | quiet
done_ "$out/base" || bin/refinery pretrain --data "$out/packed-bios" --output "$out/base" --overwrite \
  --conf conf/model-tiny.conf --set train.workers=2 --set train.max_steps="$steps" --set train.warmup_steps=30 \
  --set train.eval_every=200 --set train.checkpoint_every="$steps" --set train.learning_rate=3e-3 \
  --set train.min_learning_rate=3e-4 "${spark[@]}" 2>&1 | quiet

printf 'lr\tsteps\tstart_val_loss\tval_loss\tstart_val_accuracy\tval_accuracy\tqa_train_accuracy\tqa_test_accuracy\tqa_test_baseline\tsft_seconds\n' \
  > "$out/summary.tsv"
for lr in "${lrs[@]}"; do
  run="$out/sft-$lr"
  start=$(date +%s)
  bin/refinery sft --model "$out/base" --data "$out/packed-qa" --output "$run" --overwrite \
    --set train.workers=2 --set train.eval_windows=512 --set sft.train.learning_rate="$lr" "${spark[@]}" 2>&1 | quiet
  seconds=$(( $(date +%s) - start ))
  for split in train test; do
    bin/refinery eval-qa --model "$run" --input "$out/qa" --split "$split" --output "$run-eval-$split" --overwrite \
      "${spark[@]}" 2>&1 | quiet
  done
  python3 - "$run" "$lr" "$seconds" >> "$out/summary.tsv" <<'PY'
import json, sys
run, lr, seconds = sys.argv[1:]
s = json.load(open(f"{run}/stats.json"))
tr = json.load(open(f"{run}-eval-train/stats.json"))
te = json.load(open(f"{run}-eval-test/stats.json"))
print("\t".join(str(x) for x in [lr, s["steps"], round(s["start_val_loss"], 4), round(s["val_loss"], 4),
      round(s["start_val_accuracy"], 4), round(s["val_accuracy"], 4), round(tr["accuracy"], 4),
      round(te["accuracy"], 4), round(te["baseline_accuracy"], 4), seconds]))
PY
done
column -t "$out/summary.tsv"
