#!/usr/bin/env bash
# The alignment analyses on a real pair of our own models (BENCHMARKS.md, "Alignment analyses on a real pair"):
# base = the tiny model pretrained on bios by bench/sft-lr.sh, aligned = its SFT at the default learning rate 2e-4
# (sft-2e-4); its SFT at 2e-3 (sft-2e-3, the rate that learned to end its answers) is a second reference.
# Prompts: the test-split questions of the pair's QA rows, in the chat template for every model.
#   1. refinery token-shift --base base --aligned sft-<lr> (token_shift.chat=true): the shares overall, for the end
#      markers and the other tokens, by position, and the most often shifted tokens.
#   2. refinery generate --chat on the same prompts with the same seed: the base model with plain sampling (the
#      default temperature and top-p), with the rule-based adapter (generate.rules=true, conf/decoding-rules.conf),
#      with the adapter's end-of-text ramp fitted to the window (bench/decoding-rules-window.conf), greedy with and
#      without the adapter; the SFT models sampled and greedy as the reference.
#   3. AlignmentPair report: response length, the share that stop by themselves, repeated 4-grams and exact match,
#      read back from each generate output's Parquet, and the token-shift summaries from stats.json and data/.
# Missing models of the pair are rebuilt with bench/sft-lr.sh (SFT_PRETRAIN_STEPS defaults to 400 here, the pair
# of BENCHMARKS.md "Fine-tuning: learning rate"; existing folders are reused).
# Usage: bench/alignment-pair.sh   Environment: NO_BUILD (1: use the existing build), SEED (42).
# Results: bench/results/alignment-pair/ (report.md, runs.tsv and every command's output folder).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
pair=bench/results/sft-lr
out=bench/results/alignment-pair
seed=${SEED:-42}
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }
[[ ${NO_BUILD:-0} == 1 ]] || mvn -B -q package -DskipTests
missing=()
for lr in 2e-4 2e-3; do
  [[ -f "$pair/sft-$lr/_SUCCESS" ]] || missing+=("$lr")
done
if [[ ${#missing[@]} -gt 0 || ! -f "$pair/qa/_SUCCESS" ]]; then
  # sft-lr.sh builds the data and the base model where missing, then fine-tunes at each rate given.
  SFT_NO_BUILD=1 SFT_PRETRAIN_STEPS=${SFT_PRETRAIN_STEPS:-400} bench/sft-lr.sh "${missing[@]:-2e-4}"
fi
mkdir -p "$out"

bench/run-java.sh AlignmentPair prompts "$pair/qa" "$out/prompts" 2>&1 | quiet

for lr in 2e-4 2e-3; do
  bin/refinery token-shift --base "$pair/base" --aligned "$pair/sft-$lr" --input "$out/prompts" \
    --output "$out/shift-$lr" --overwrite --set token_shift.chat=true "${spark[@]}" 2>&1 | quiet
done

# name, model, settings: the same prompts and seed for every run.
gen() {
  local name=$1 model=$2
  shift 2
  bin/refinery generate --model "$model" --chat --input "$out/prompts" --output "$out/$name" --overwrite \
    --set generate.seed="$seed" "$@" "${spark[@]}" 2>&1 | quiet
}
gen base-sample "$pair/base"
gen base-sample-rules "$pair/base" --set generate.rules=true
gen base-sample-rules-window "$pair/base" --set generate.rules=true \
  --set generate.rules_file='"bench/decoding-rules-window.conf"'
gen base-greedy "$pair/base" --set generate.temperature=0
gen base-greedy-rules "$pair/base" --set generate.temperature=0 --set generate.rules=true
for lr in 2e-4 2e-3; do
  gen "sft-$lr-sample" "$pair/sft-$lr"
  gen "sft-$lr-greedy" "$pair/sft-$lr" --set generate.temperature=0
done

bench/run-java.sh AlignmentPair report "$out/prompts" "$out/report.md" "$out/runs.tsv" \
  "shift:base against SFT at 2e-4 (the default)=$out/shift-2e-4" \
  "shift:base against SFT at 2e-3=$out/shift-2e-3" \
  "base, sampled (T 0.8, top-p 0.95)=$out/base-sample" \
  "base, sampled + rules (conf/decoding-rules.conf)=$out/base-sample-rules" \
  "base, sampled + rules, ramp fitted to the window=$out/base-sample-rules-window" \
  "base, greedy=$out/base-greedy" \
  "base, greedy + rules=$out/base-greedy-rules" \
  "SFT 2e-4, sampled (T 0.8, top-p 0.95)=$out/sft-2e-4-sample" \
  "SFT 2e-4, greedy=$out/sft-2e-4-greedy" \
  "SFT 2e-3, sampled (T 0.8, top-p 0.95)=$out/sft-2e-3-sample" \
  "SFT 2e-3, greedy=$out/sft-2e-3-greedy" 2>&1 | quiet
