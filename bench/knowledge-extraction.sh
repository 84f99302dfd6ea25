#!/usr/bin/env bash
# Knowledge extraction (Physics of Language Models 3.1; BENCHMARKS.md, "Knowledge extraction"): for each N of
# KE_PEOPLE, `bios` for N people, then two pretraining corpora of the same people:
#   (a) single: one biography per person (the `bios` output: fixed sentence order, pronouns after the first);
#   (b) aug:    `rephrase` multi5 + permute + fullname (five biographies per person).
# One tokenizer (trained on (b), which holds every word of (a)) packs both; the same model is pretrained on each
# for the SAME number of steps (= tokens): KE_EPOCHS passes over (a)'s tokens, i.e. KE_EPOCHS exposures of every
# fact in (a); (b)'s biographies are longer (full names), so each fact of (b) is seen 0.75-0.95 x KE_EPOCHS times,
# spread over its five phrasings. No biography is held out of pretraining (validation_fraction 0): every person's
# facts are in the pretraining data, as in the paper. Then `sft` on the QA rows (`rephrase qa`) of the train half
# of the people, and `eval-qa` (greedy, exact match) on the test half (people whose QA was never trained on) and
# on the train half. Steps already done (a _SUCCESS) are skipped, so a rerun only rewrites the tables.
# (b') aug_repacked (with KE_CORPORA): (b) packed afresh for every pass over it (pack.seed 42, 1, 2, ...:
# another document order, so other neighbours and other window boundaries each pass), the packings one after
# another in the training stream; the same steps and tokens.
# Usage: bench/knowledge-extraction.sh
# Environment: KE_PEOPLE ("400 800"), KE_EPOCHS ("120 125": passes over (a), one per N or one for all),
#   KE_CONTEXT (128), KE_MODEL (bench/knowledge-extraction-model.conf), KE_LR (1e-3, peak pretraining rate;
#   cosine to a tenth), KE_BATCH (8 windows per worker), KE_WORKERS (1: every step an optimizer step),
#   KE_SFT_LR (3e-4), KE_SFT_EPOCHS (5), KE_SFT_BATCH (4 packed windows, about 16 conversations),
#   KE_VOCAB (1024), KE_NO_BUILD (1: use the existing build), KE_OUT (bench/results/knowledge-extraction),
#   KE_CORPORA ("single aug": the runs to train and evaluate, of single, aug and aug_repacked; "": prepare the
#   data only), KE_PARALLEL (1: the corpora's runs at the same time, a core each).
# Results: $KE_OUT/summary.tsv (one row per N and corpus) and $KE_OUT/per-attribute.tsv.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
read -r -a people_list <<< "${KE_PEOPLE:-400 800}"
read -r -a epochs_list <<< "${KE_EPOCHS:-120 125}"
read -r -a corpora <<< "${KE_CORPORA-single aug}"
ctx=${KE_CONTEXT:-128}
model_conf=${KE_MODEL:-bench/knowledge-extraction-model.conf}
lr=${KE_LR:-1e-3}
batch=${KE_BATCH:-8}
sft_lr=${KE_SFT_LR:-3e-4}
sft_epochs=${KE_SFT_EPOCHS:-5}
sft_batch=${KE_SFT_BATCH:-4}
vocab=${KE_VOCAB:-1024}
out=${KE_OUT:-bench/results/knowledge-extraction}
workers=${KE_WORKERS:-1}
mkdir -p "$out"
spark=(--set 'spark.master="local[2]"' --set 'spark.conf."spark.ui.showConsoleProgress"=false')
quiet() { grep -v -E ' (INFO|WARN) |^\s+at |^Using Spark' || true; }
done_() { [[ -f "$1/_SUCCESS" ]]; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }
[[ ${KE_NO_BUILD:-0} == 1 ]] || mvn -B -q package -DskipTests

if (( ${#corpora[@]} )); then
columns=(people corpus documents tokens_per_epoch steps tokens passes exposures_per_fact final_loss floor_templates
  floor_memorised pretrain_s sft_steps sft_val_loss sft_s qa_train_accuracy qa_test_accuracy qa_test_baseline test_rows)
# The tables keep the rows of earlier runs; a run replaces the rows of its own N and corpora.
[[ -f $out/summary.tsv ]] || (IFS=$'\t'; echo "${columns[*]}") > "$out/summary.tsv"
[[ -f $out/per-attribute.tsv ]] ||
  printf 'people\tcorpus\tattribute\trows\ttest_accuracy\tbaseline_accuracy\ttrain_accuracy\n' > "$out/per-attribute.tsv"
fi

for i in "${!people_list[@]}"; do
  n=${people_list[$i]}
  # One KE_EPOCHS value for all N, or one per N.
  epochs=${epochs_list[$i]:-${epochs_list[0]}}
  d="$out/n$n"
  mkdir -p "$d"
  done_ "$d/bios" || bin/refinery bios --people "$n" --seed 7 --output "$d/bios" --overwrite "${spark[@]}" 2>&1 | quiet
  done_ "$d/aug" || bin/refinery rephrase --input "$d/bios" --output "$d/aug" --overwrite "${spark[@]}" \
    --set rephrase.multi=5 --set rephrase.permute=true --set rephrase.fullname=true 2>&1 | quiet
  done_ "$d/qa" || bin/refinery rephrase --input "$d/bios" --output "$d/qa" --overwrite "${spark[@]}" \
    --set rephrase.rephraser=qa 2>&1 | quiet
  done_ "$d/tok" || bin/refinery tokenizer --input "$d/aug" --output "$d/tok" --overwrite "${spark[@]}" \
    --set tokenizer.vocab_size="$vocab" 2>&1 | quiet
  # (a) is the bios output itself: one biography per person.
  for corpus in single aug; do
    src="$d/bios"; [[ $corpus == aug ]] && src="$d/aug"
    done_ "$d/packed-$corpus" || bin/refinery tokenize --input "$src" --tokenizer "$d/tok" \
      --output "$d/packed-$corpus" --overwrite --conf "$model_conf" --set pack.context_length="$ctx" \
      --set pack.validation_fraction=0 "${spark[@]}" 2>&1 | quiet
  done
  done_ "$d/packed-qa" || bin/refinery tokenize --input "$d/qa" --tokenizer "$d/tok" --output "$d/packed-qa" \
    --overwrite --conf "$model_conf" --set pack.context_length="$ctx" "${spark[@]}" 2>&1 | quiet

  # The same number of steps (tokens) for both corpora: KE_EPOCHS passes over (a).
  tokens_single=$(json "$d/packed-single/stats.json" 'd["tokens_per_epoch"]')
  steps=$(( (epochs * tokens_single + workers * batch * ctx - 1) / (workers * batch * ctx) ))
  warmup=$(( steps / 50 + 1 ))
  if [[ " ${corpora[*]} " == *" aug_repacked "* ]] && ! done_ "$d/packed-aug_repacked"; then
    # As many packings of (b) as the steps go through: the default seed's, then seeds 1, 2, ...
    windows_aug=$(json "$d/packed-aug/stats.json" 'd["windows_train"]')
    packings=$(( (steps * workers * batch + windows_aug - 1) / windows_aug ))
    for ((k = 1; k < packings; k++)); do
      done_ "$d/repack/$k" || bin/refinery tokenize --input "$d/aug" --tokenizer "$d/tok" --output "$d/repack/$k" \
        --overwrite --conf "$model_conf" --set pack.context_length="$ctx" --set pack.validation_fraction=0 \
        --set pack.seed="$k" "${spark[@]}" 2>&1 | quiet
    done
    source bench/python-env.sh
    "$py" - "$d" "$packings" <<'PY'
# One packed folder: packing 0 (packed-aug) and then packing k at window_id + k * 10^9, so that the training
# stream (window_id order) goes through the packings one after another.
import os, shutil, sys
import pyarrow as pa, pyarrow.compute as pc, pyarrow.dataset as ds, pyarrow.parquet as pq
d, packings = sys.argv[1], int(sys.argv[2])
dst = f"{d}/packed-aug_repacked"
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(f"{d}/packed-aug", dst)
os.remove(f"{dst}/_SUCCESS")
for k in range(1, packings):
    t = ds.dataset(f"{d}/repack/{k}/data", format="parquet", partitioning="hive").to_table(
        columns=["window_id", "stream_offset", "tokens"])
    t = t.set_column(0, "window_id", pc.add(t.column("window_id"), pa.scalar(k * 10**9, pa.int64())))
    pq.write_table(t, f"{dst}/data/split=train/repack-{k:03d}.parquet")
open(f"{dst}/_SUCCESS", "w").close()
PY
  fi
  # One chain per corpus: pretrain, fine-tune, evaluate; with KE_PARALLEL=1 the chains run at the same time.
  chain() {
    local corpus=$1 run="$d/base-$1" sft="$d/sft-$1" start
    if ! done_ "$run"; then
      start=$(date +%s)
      nice -n 10 bin/refinery pretrain --data "$d/packed-$corpus" --output "$run" --overwrite \
        --conf "$model_conf" --set model.context_length="$ctx" --set train.workers=$workers \
        --set train.batch_size_per_worker="$batch" --set train.max_steps="$steps" \
        --set train.warmup_steps="$warmup" --set train.eval_every="$(( (steps + 9) / 10 ))" \
        --set train.checkpoint_every="$steps" \
        --set train.learning_rate="$lr" --set train.min_learning_rate="$(python3 -c "print($lr/10)")" \
        "${spark[@]}" > "$run.log" 2>&1 || { quiet < "$run.log"; return 1; }
      grep -o 'step [0-9]*/.*' "$run.log" | tail -n 1
      echo $(( $(date +%s) - start )) > "$run.seconds"
    fi
    if ! done_ "$sft"; then
      start=$(date +%s)
      nice -n 10 bin/refinery sft --model "$run" --data "$d/packed-qa" --output "$sft" --overwrite \
        --set train.workers=$workers --set train.eval_windows=512 --set sft.train.learning_rate="$sft_lr" \
        --set sft.train.epochs="$sft_epochs" --set train.batch_size_per_worker="$sft_batch" \
        "${spark[@]}" > "$sft.log" 2>&1 || { quiet < "$sft.log"; return 1; }
      echo $(( $(date +%s) - start )) > "$sft.seconds"
    fi
    for split in train test; do
      done_ "$sft-eval-$split" || bin/refinery eval-qa --model "$sft" --input "$d/qa" --split "$split" \
        --output "$sft-eval-$split" --overwrite "${spark[@]}" 2>&1 | quiet
    done
  }
  if [[ ${KE_PARALLEL:-0} == 1 ]]; then
    pids=()
    for corpus in "${corpora[@]}"; do chain "$corpus" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
  else
    for corpus in "${corpora[@]}"; do chain "$corpus"; done
  fi
  for corpus in "${corpora[@]}"; do
    python3 - "$d" "$n" "$corpus" "$out" <<'PY'
import json, math, sys
d, n, corpus, out = sys.argv[1:]
packed = json.load(open(f"{d}/packed-{corpus}/stats.json"))
base = json.load(open(f"{d}/base-{corpus}/stats.json"))
sft = json.load(open(f"{d}/sft-{corpus}/stats.json"))
tr = json.load(open(f"{d}/sft-{corpus}-eval-train/stats.json"))
te = json.load(open(f"{d}/sft-{corpus}-eval-test/stats.json"))
sec = lambda name: open(f"{d}/{name}.seconds").read().strip()
docs = packed["documents_train"]
# Passes over the corpus; every fact is in each of a person's docs / N biographies.
passes = base["tokens"] / packed["tokens_per_epoch"]
# Loss floors (nats per token): floor_templates = the loss of a model that knows every fact but not which
# template (50 per attribute) or sentence order (6! with permute) a biography drew, nor which person comes next;
# floor_memorised = the loss of a model that has learnt every biography verbatim (only the next one is unknown).
tokens_per_doc = packed["tokens_per_epoch"] / docs
floor_templates = (math.log(int(n)) + 6 * math.log(50) + (math.log(720) if corpus != "single" else 0)) / tokens_per_doc
floor_memorised = math.log(docs) / tokens_per_doc
def replace_rows(table, rows):
    """The table with its rows of this N and corpus replaced by rows, sorted by N, corpus and the rest."""
    lines = open(table).read().splitlines()
    kept = [l for l in lines[1:] if l.split("\t")[:2] != [n, corpus]]
    body = sorted(kept + ["\t".join(str(x) for x in r) for r in rows], key=lambda l: (int(l.split("\t")[0]), l))
    open(table, "w").write("\n".join([lines[0]] + body) + "\n")
replace_rows(f"{out}/summary.tsv", [[n, corpus, docs, packed["tokens_per_epoch"], base["steps"], base["tokens"],
          round(passes, 1), round(passes * docs / int(n), 1), round(base["loss"], 4), round(floor_templates, 3),
          round(floor_memorised, 3),
          sec(f"base-{corpus}"), sft["steps"], round(sft["val_loss"], 4),
          sec(f"sft-{corpus}"), round(tr["accuracy"], 4), round(te["accuracy"], 4),
          round(te["baseline_accuracy"], 4), te["rows"]]])
replace_rows(f"{out}/per-attribute.tsv", [
    [n, corpus, a, s["rows"], round(s["accuracy"], 4), round(s["baseline_accuracy"], 4),
     round(tr["per_attribute"].get(a, {}).get("accuracy", float("nan")), 4)]
    for a, s in sorted(te["per_attribute"].items())])
PY
  done
done
if (( ${#corpora[@]} )); then
  column -t "$out/summary.tsv"
  column -t "$out/per-attribute.tsv"
fi
