#!/usr/bin/env bash
# SFT training throughput against pretraining on the same model (BENCHMARKS.md, "Fine-tuning: tokens/s"): the
# tiny model on two workers, `refinery pretrain` on packed biographies and `refinery sft` (loss mask on, one
# conversation per window) on packed QA, alternated ROUNDS times for STEPS steps each so that load drifts hit
# both alike. Throughput is window tokens (padding included, the work the model does) per wall-clock second of
# training, from each run's metrics/ (evaluation time excluded), the first interval dropped as warm-up.
# Needs the data of bench/sft-lr.sh (bench/results/sft-lr: packed-bios, packed-qa and the base model).
# Usage: bench/sft-throughput.sh   Environment: ROUNDS (2), STEPS (40). Results: bench/results/sft-throughput/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
data=bench/results/sft-lr
out=bench/results/sft-throughput
rounds=${ROUNDS:-2}
steps=${STEPS:-40}
[[ -f "$data/base/_SUCCESS" && -f "$data/packed-qa/_SUCCESS" ]] || { echo "run bench/sft-lr.sh first" >&2; exit 2; }
mkdir -p "$out"
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')
common=(--overwrite --set train.workers=2 --set train.batch_size_per_worker=8 --set train.max_steps="$steps"
  --set train.eval_every=10 --set train.eval_windows=16 --set train.checkpoint_every="$steps")
for ((r = 1; r <= rounds; r++)); do
  bin/refinery pretrain --data "$data/packed-bios" --output "$out/pretrain-$r" --conf conf/model-tiny.conf \
    "${common[@]}" "${spark[@]}" > "$out/pretrain-$r.log" 2>&1
  bin/refinery sft --model "$data/base" --data "$data/packed-qa" --output "$out/sft-$r" "${common[@]}" \
    "${spark[@]}" > "$out/sft-$r.log" 2>&1
done
# The loop logs one line per interval: "step S/N tokens T ... tokens/s R eta E". Tokens over seconds, first
# interval dropped.
rate() {
  grep -o 'step [0-9]*/[0-9]* tokens [0-9]* .* tokens/s [0-9.]*' "$1" | awk '
    { n = split($0, f, " "); tokens = f[4]; r = f[n]
      if (seen++) { t += tokens - prev; s += (tokens - prev) / r }
      prev = tokens }
    END { if (s > 0) printf "%.0f", t / s; else print "n/a" }'
}
printf 'round\tpretrain_tokens_per_s\tsft_tokens_per_s\tsft/pretrain\n' | tee "$out/summary.tsv"
for ((r = 1; r <= rounds; r++)); do
  p=$(rate "$out/pretrain-$r.log"); q=$(rate "$out/sft-$r.log")
  printf '%s\t%s\t%s\t%s\n' "$r" "$p" "$q" "$(awk -v a="$q" -v b="$p" 'BEGIN { printf "%.3f", a / b }')" \
    | tee -a "$out/summary.tsv"
done
