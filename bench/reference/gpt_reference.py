"""Independent PyTorch (CPU) implementation of Refinery's GPT-style decoder and of its pretraining loop, for the
training parity benchmark (bench/train-parity.sh, BENCHMARKS.md).

Usage: gpt_reference.py --params EXPORT_DIR --data PACKED_DIR --out RESULT.json [--warmup-steps N] [--threads N]
                        [--sft-run RUN_DIR]

EXPORT_DIR is what ExportInitialParams wrote for the run's settings: params.bin/params.json (the Java model's
initial parameters, by name) and the resolved model and train settings, which this script follows. PACKED_DIR is
the output of `refinery tokenize` (data/split=.../*.parquet: window_id, split, tokens).

The model mirrors training/.../model/: learned token and position embeddings; pre-LayerNorm blocks
x + attn(ln1(x)), then + mlp(ln2(.)), causal multi-head attention scaled by 1/sqrt(head size), LayerNorm eps 1e-5,
MLP width -> mlp_ratio*width -> width with the tanh form of GELU; final LayerNorm; untied output projection with
bias. Weight matrices are kept as DL4J lays them out ([in, out], used as x @ W), so the exported arrays load as
they are. The loop is the intended one (what the issue asks of pretrain): training windows in window_id order,
wrapping round; workers * batch_size_per_worker windows per step; loss = mean cross-entropy per target token;
global L2-norm gradient clipping; AdamW with decoupled weight decay on the parameters DL4J decays (as exported);
learning rate of step i (0-based) = WarmupCosineSchedule.valueAt(i); validation on the first eval_windows
validation windows every eval_every steps and at the end.

With --sft-run (bench/sft-parity.sh), the loop of `refinery sft`: PACKED_DIR holds packed instruction windows
(tokens, loss_mask, segment), EXPORT_DIR the base model's parameters (ExportInitialParams --model), and the
training settings are the ones RUN_DIR's manifest resolved (sft.train over train). Positions restart at every
conversation of a window and a query attends only to the keys of its own conversation up to itself; the loss of
a step is the cross-entropy summed over the targets whose loss_mask is 1 divided by their number in the step;
validation is the same masked loss on the first eval_windows validation windows, and the loss before any training
must reproduce the run's start_val_loss.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import pyarrow.dataset as pads
import torch
import torch.nn.functional as F

LAYER_NORM_EPSILON = 1e-5  # Ops.LAYER_NORM_EPSILON


def load_params(export_dir):
    index = json.load(open(os.path.join(export_dir, "params.json")))
    if index["data_order"] != "c" or index["dtype"] != "float32":
        sys.exit("params.json: expected row-major float32 data")
    flat = np.fromfile(os.path.join(export_dir, "params.bin"), dtype="<f4")
    if flat.size != index["num_params"]:
        sys.exit(f"params.bin holds {flat.size} floats, params.json says {index['num_params']}")
    params = {}
    for p in index["params"]:
        n = int(np.prod(p["shape"]))
        params[p["name"]] = torch.tensor(flat[p["offset"]:p["offset"] + n].reshape(p["shape"]))
    return index, params


def windows(data_dir, split, masked=False):
    """Token windows [n, T+1] of one split in window_id order, as int64; with masked, also their loss masks
    [n, T] (float) and positions [n, T] (restarted at every conversation, from the segment column)."""
    root = os.path.join(data_dir, "data") if os.path.isdir(os.path.join(data_dir, "data")) else data_dir
    columns = ["window_id", "tokens"] + (["loss_mask", "segment"] if masked else [])
    table = pads.dataset(root, format="parquet", partitioning="hive").to_table(
        columns=columns, filter=pads.field("split") == split)
    table = table.sort_by("window_id")
    tokens = torch.tensor(np.array(table.column("tokens").to_pylist(), dtype=np.int64))
    if not masked:
        return tokens
    mask = torch.tensor(np.array(table.column("loss_mask").to_pylist(), dtype=np.float64)).float()
    return tokens, mask, torch.tensor([positions(s, tokens.shape[1] - 1) for s in table.column("segment").to_pylist()])


def positions(segment, t):
    """Position of each of the T inputs within its conversation: 0 where a conversation starts (a segment value
    >= 0 that differs from the one before), else one more than the position before (padding, -1, counts on)."""
    p = [0] * t
    for j in range(1, t):
        p[j] = 0 if segment[j] >= 0 and segment[j] != segment[j - 1] else p[j - 1] + 1
    return p


class Gpt(torch.nn.Module):
    def __init__(self, model, params):
        super().__init__()
        self.layers = model["layers"]
        self.heads = model["heads"]
        # Parameter names are the Java ones (layer_param), so they map one to one.
        self.p = torch.nn.ParameterDict({k: torch.nn.Parameter(v.clone()) for k, v in params.items()})

    def block(self, i, x, hidden):
        p = lambda n: self.p[f"block_{i}_{n}"]
        b, t, c = x.shape
        h = self.heads
        a = F.layer_norm(x, (c,), p("ln1g").view(c), p("ln1b").view(c), LAYER_NORM_EPSILON)
        q, k, v = ((a @ p("w" + n) + p("b" + n)).view(b, t, h, c // h).transpose(1, 2) for n in "qkv")
        # Causal softmax(q k^T / sqrt(head size)) v, written out rather than fused for clarity.
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(c // h)
        weights = torch.softmax(scores.masked_fill(hidden, float("-inf")), dim=-1)
        context = (weights @ v).transpose(1, 2).reshape(b, t, c)
        x = x + context @ p("wo") + p("bo")
        m = F.layer_norm(x, (c,), p("ln2g").view(c), p("ln2b").view(c), LAYER_NORM_EPSILON)
        return x + F.gelu(m @ p("w1") + p("b1"), approximate="tanh") @ p("w2") + p("b2")

    def forward(self, tokens, pos=None):
        """Logits of tokens [n, T]; pos [n, T]: the positions of packed conversations (None: 0..T-1)."""
        t = tokens.shape[1]
        # pos_emb_pos is [1, width, context] (DL4J's NCW layout): position j's vector is pos_emb_pos[0, :, j].
        table = self.p["pos_emb_pos"][0].T
        if pos is None:
            x = self.p["tok_emb_W"][tokens] + table[:t]
            hidden = torch.ones(t, t, dtype=torch.bool).triu(1)  # later keys
        else:
            x = self.p["tok_emb_W"][tokens] + table[pos]
            i = torch.arange(t).view(1, t, 1)
            j = torch.arange(t).view(1, 1, t)
            # Query i sees key j of its own conversation up to itself: j <= i and i - j <= pos[i].
            hidden = ((j > i) | (i - j > pos.unsqueeze(2))).unsqueeze(1)  # [n, 1, T, T], broadcast over heads
        for i in range(self.layers):
            x = self.block(i, x, hidden)
        c = x.shape[-1]
        x = F.layer_norm(x, (c,), self.p["ln_f_g"].view(c), self.p["ln_f_b"].view(c), LAYER_NORM_EPSILON)
        return x @ self.p["out_W"] + self.p["out_b"].view(-1)

    def loss(self, w, mask=None, pos=None):
        """Mean cross-entropy per target token of windows [n, T+1]; with mask [n, T], per target whose mask is 1."""
        logits = self(w[:, :-1], pos)
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), w[:, 1:].reshape(-1), reduction="none")
        if mask is None:
            return ce.mean()
        return (ce * mask.reshape(-1)).sum() / mask.sum()


def learning_rate(i, peak, low, warmup, total):
    """WarmupCosineSchedule.valueAt(i): linear warm-up from peak/warmup, then a half cosine to min at total."""
    if i < warmup:
        return peak * (i + 1) / warmup
    progress = min(1.0, (i - warmup) / max(1, total - warmup))
    return low + 0.5 * (peak - low) * (1 + math.cos(math.pi * progress))


@torch.no_grad()
def evaluate(model, val, batch=64):
    """Mean cross-entropy per target token of the windows val, or of (windows, masks, positions)."""
    if isinstance(val, tuple):
        w, mask, pos = val
        total = sum(model.loss(w[i:i + batch], mask[i:i + batch], pos[i:i + batch]).item() * mask[i:i + batch].sum()
                    for i in range(0, len(w), batch) if mask[i:i + batch].sum() > 0)
        return float(total / mask.sum())
    # Every window has T targets, so the mean over windows of their mean CE is the mean per token.
    total = sum(model.loss(val[i:i + batch]).item() * len(val[i:i + batch]) for i in range(0, len(val), batch))
    return total / len(val)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--params", required=True, help="ExportInitialParams output folder")
    ap.add_argument("--data", required=True, help="refinery tokenize output folder")
    ap.add_argument("--out", required=True, help="result JSON (a CSV is written beside it)")
    ap.add_argument("--warmup-steps", type=int, help="override train.warmup_steps (a sanity check)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sft-run", help="a `refinery sft` run folder: fine-tune as it did (see above)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)  # nothing is random (no dropout, parameters loaded), but keep it fixed
    index, params = load_params(args.params)
    m, tr = index["model"], index["train"]
    if args.sft_run:
        manifest = json.load(open(os.path.join(args.sft_run, "manifest.json")))
        # The run's resolved settings: what the manifest's train holds (sft.train over train) over train.
        tr = dict(manifest["configuration"]["train"], **manifest["train"])
        # The loss before any step, on the same validation windows (all that are read below).
        index["check"] = {"loss_per_token": json.load(open(os.path.join(args.sft_run, "stats.json")))["start_val_loss"]}
    if m["dropout"] != 0:
        sys.exit("the reference has no dropout: run with model.dropout = 0")
    if tr.get("optimizer", "adamw") != "adamw":
        sys.exit(f"the reference trains with AdamW, the settings say train.optimizer = {tr['optimizer']}")
    warmup = tr["warmup_steps"] if args.warmup_steps is None else args.warmup_steps
    workers = tr["workers"]
    if workers < 1:
        sys.exit("set train.workers explicitly: the reference takes workers * batch_size_per_worker windows per step")
    per_step = workers * tr["batch_size_per_worker"]

    masked = bool(args.sft_run)
    train = windows(args.data, "train", masked)
    val = windows(args.data, "validation", masked)
    if masked:
        val = tuple(v[:tr["eval_windows"]] for v in val)
        train, train_mask, train_pos = train
    else:
        val = val[:tr["eval_windows"]]
    val_windows = val[0] if masked else val
    t = m["context_length"]
    if train.shape[1] != t + 1 or val_windows.shape[1] != t + 1:
        sys.exit(f"windows hold {train.shape[1]} tokens, the model wants context_length + 1 = {t + 1}")
    model = Gpt(m, params)

    # Parameter mapping check: this model's loss on the validation windows against the Java model's, both
    # before any training from the same parameters.
    initial = evaluate(model, val)
    check = dict(index.get("check", {}))
    if masked:
        check["windows"] = len(val_windows)
    if "loss_per_token" in check and check["windows"] == len(val_windows):
        check["reference_loss_per_token"] = initial
        check["relative_difference"] = abs(initial - check["loss_per_token"]) / check["loss_per_token"]
        print(f"initial validation loss on {check['windows']} windows: java {check['loss_per_token']:.6f} "
              f"reference {initial:.6f} relative difference {check['relative_difference']:.2e}")

    # Decay exactly what DL4J decays (the export lists, per parameter, the decays DL4J applies); the
    # coefficient is the setting (DL4J lists the same decay twice per parameter in this release: see BENCHMARKS.md).
    decayed = {p["name"] for p in index["params"] if p["weight_decay"]}
    groups = [{"params": [v for k, v in model.p.items() if k in decayed], "weight_decay": tr["weight_decay"]},
              {"params": [v for k, v in model.p.items() if k not in decayed], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=tr["learning_rate"], betas=(tr["beta1"], tr["beta2"]), eps=tr["adam_epsilon"])

    rows = [{"step": 0, "loss": None, "val_loss": initial, "lr": None}]
    position = 0
    started = time.time()
    for i in range(tr["max_steps"]):
        rows_of_step = (position + torch.arange(per_step)) % len(train)
        position += per_step
        lr = learning_rate(i, tr["learning_rate"], tr["min_learning_rate"], warmup, tr["max_steps"])
        for g in opt.param_groups:
            g["lr"] = lr
        if masked:
            loss = model.loss(train[rows_of_step], train_mask[rows_of_step], train_pos[rows_of_step])
        else:
            loss = model.loss(train[rows_of_step])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if tr["gradient_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), tr["gradient_clip"])
        opt.step()
        step = i + 1
        row = {"step": step, "loss": loss.item(), "val_loss": None, "lr": lr}
        if step % tr["eval_every"] == 0 or step == tr["max_steps"]:
            row["val_loss"] = evaluate(model, val)
            print(f"step {step} loss {row['loss']:.4f} val_loss {row['val_loss']:.4f} lr {lr:.3g}", flush=True)
        rows.append(row)

    result = {"settings": {"model": m, "train": dict(tr, warmup_steps=warmup), "windows_per_step": per_step,
                           "train_windows": len(train), "validation_windows": len(val_windows),
                           "torch": torch.__version__, "threads": args.threads},
              "check": check, "seconds": time.time() - started, "rows": rows}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.splitext(args.out)[0] + ".csv", "w") as f:
        f.write("step,loss,val_loss,lr\n")
        for r in rows:
            f.write(",".join("" if r[k] is None else repr(r[k]) for k in ("step", "loss", "val_loss", "lr")) + "\n")


if __name__ == "__main__":
    main()
