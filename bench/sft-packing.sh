#!/usr/bin/env bash
# Packed against padded SFT windows (BENCHMARKS.md, "Fine-tuning: packed against padded windows"). The QA rows of
# SFT_PEOPLE people (rephrase qa: six questions per person, half of the people in the test split) are tokenized at
# context SFT_CONTEXT in both forms (sft.packing = padded | packed); the tiny model (conf/model-tiny.conf at that
# context) is pretrained for SFT_PRETRAIN_STEPS steps on the people's biographies (2 rephrasings each, permuted,
# full names); `refinery sft` then fine-tunes that base on each form for the same epochs, so on the same
# supervised tokens (2 workers x 8 windows per step, the sft defaults otherwise), plus the packed form at a batch
# of 8 / conversations-per-window windows (about the padded form's targets per step, as many steps).
# Throughput from each run's stats.json: window tokens (padding included) and supervised (loss-bearing) tokens per
# second of training (evaluations and checkpoints apart); validation: masked loss and token accuracy on every
# held-out conversation (the same conversations in both forms).
# Usage: bench/sft-packing.sh   Environment: SFT_PEOPLE (1000), SFT_CONTEXT (128), SFT_PRETRAIN_STEPS (300),
# SFT_EPOCHS (3), SFT_NO_BUILD (1: use the existing build). Results: bench/results/sft-packing/summary.tsv.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
people=${SFT_PEOPLE:-1000}
context=${SFT_CONTEXT:-128}
steps=${SFT_PRETRAIN_STEPS:-300}
epochs=${SFT_EPOCHS:-3}
out=bench/results/sft-packing
mkdir -p "$out"
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')
at=(--conf conf/model-tiny.conf --set model.context_length="$context" --set pack.context_length="$context")
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }
done_() { [[ -f "$1/_SUCCESS" ]]; }
[[ ${SFT_NO_BUILD:-0} == 1 ]] || mvn -B -q package -DskipTests

done_ "$out/bios" || bin/refinery bios --people "$people" --seed 7 --output "$out/bios" --overwrite "${spark[@]}" 2>&1 | quiet
done_ "$out/bios-aug" || bin/refinery rephrase --input "$out/bios" --output "$out/bios-aug" --overwrite "${spark[@]}" \
  --set rephrase.multi=2 --set rephrase.permute=true --set rephrase.fullname=true 2>&1 | quiet
done_ "$out/qa" || bin/refinery rephrase --input "$out/bios" --output "$out/qa" --overwrite "${spark[@]}" \
  --set rephrase.rephraser=qa 2>&1 | quiet
done_ "$out/tok" || bin/refinery tokenizer --input "$out/bios-aug" --output "$out/tok" --overwrite "${spark[@]}" \
  --set tokenizer.vocab_size=1024 2>&1 | quiet
done_ "$out/packed-bios" || bin/refinery tokenize --input "$out/bios-aug" --tokenizer "$out/tok" \
  --output "$out/packed-bios" --overwrite "${at[@]}" --set pack.validation_fraction=0.02 "${spark[@]}" 2>&1 | quiet
done_ "$out/base" || bin/refinery pretrain --data "$out/packed-bios" --output "$out/base" --overwrite "${at[@]}" \
  --set train.workers=2 --set train.max_steps="$steps" --set train.warmup_steps=30 --set train.eval_every="$steps" \
  --set train.checkpoint_every="$steps" --set train.learning_rate=3e-3 --set train.min_learning_rate=3e-4 \
  "${spark[@]}" 2>&1 | quiet
for form in padded packed; do
  done_ "$out/qa-$form" || bin/refinery tokenize --input "$out/qa" --tokenizer "$out/tok" --output "$out/qa-$form" \
    --overwrite "${at[@]}" --set sft.packing="$form" "${spark[@]}" 2>&1 | quiet
done

per_window=$(python3 -c "import json; print(json.load(open('$out/qa-packed/stats.json'))['conversations_per_window'])")
small=$(python3 -c "print(max(1, round(8 / $per_window)))")
printf 'run\tform\tbatch_per_worker\twindows_train\tconversations_per_window\tpadding_share\tsteps\ttokens\ttargets_trained\ttrain_seconds\ttokens_per_s\ttargets_per_s\tstart_val_loss\tval_loss\tval_accuracy\n' \
  > "$out/summary.tsv"
for run in padded:8 packed:8 "packed:$small"; do
  form=${run%%:*}
  batch=${run##*:}
  dir="$out/sft-$form-b$batch"
  bin/refinery sft --model "$out/base" --data "$out/qa-$form" --output "$dir" --overwrite \
    --set train.workers=2 --set train.batch_size_per_worker="$batch" --set sft.train.epochs="$epochs" \
    --set train.eval_windows=1000000 --set sft.train.eval_every=1000000 --set train.checkpoint_every=1000000 \
    "${spark[@]}" 2>&1 | quiet
  python3 - "$dir" "$out/qa-$form" "$form" "$batch" >> "$out/summary.tsv" <<'PY'
import json, sys
run, data, form, batch = sys.argv[1:]
s = json.load(open(f"{run}/stats.json"))
p = json.load(open(f"{data}/stats.json"))
sec = s["train_seconds"]
print("\t".join(str(x) for x in [run.split("/")[-1], form, batch, p["windows_train"], p["conversations_per_window"],
      p["padding_share"], s["steps"], s["tokens"], s["targets_trained"], sec, round(s["tokens"] / sec),
      round(s["targets_trained"] / sec), round(s["start_val_loss"], 4), round(s["val_loss"], 4),
      round(s["val_accuracy"], 4)]))
PY
done
column -t -s $'\t' "$out/summary.tsv"
