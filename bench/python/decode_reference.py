"""Independent PyTorch reference for decoding speed: the shape of Refinery's small model (vocabulary 8192,
context 256, width 192, 4 pre-LayerNorm blocks, 4 heads, MLP 4x with tanh GELU, learned positions), random
weights, greedy decoding of prompts of 32 tokens with 224 new tokens each, on one thread:
  - recompute: the whole sequence so far through the model for every new token (no cache), one prompt;
  - cache: a key/value cache, 1, 16 and 64 prompts at once.
Prints new tokens per second (wall and process CPU). Not a project dependency: run it from a scratch virtual
environment (python3 -m venv bench/.venv && bench/.venv/bin/pip install "torch==2.13.0+cpu"):
  bench/.venv/bin/python bench/python/decode_reference.py
"""
import math
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(1)
V, T, C, L, H, M = 8192, 256, 192, 4, 4, 768
D = C // H
PROMPT, NEW = 32, 224


def p(*shape, std=0.02):
    return torch.randn(*shape) * std


W = {
    "tok": p(V, C), "pos": p(T, C), "lnf_g": torch.ones(C), "lnf_b": torch.zeros(C),
    "out_w": p(C, V), "out_b": torch.zeros(V),
    "blocks": [dict(ln1_g=torch.ones(C), ln1_b=torch.zeros(C), qkv_w=p(C, 3 * C), qkv_b=torch.zeros(3 * C),
                    o_w=p(C, C), o_b=torch.zeros(C), ln2_g=torch.ones(C), ln2_b=torch.zeros(C),
                    w1=p(C, M), b1=torch.zeros(M), w2=p(M, C), b2=torch.zeros(C)) for _ in range(L)],
}


def block(x, b, cache, start):
    """x [B, n, C] at positions start..start+n-1; cache (k, v) [B, H, T, D] filled up to start."""
    bsz, n, _ = x.shape
    h = F.layer_norm(x, (C,), b["ln1_g"], b["ln1_b"], 1e-5)
    q, k, v = (h @ b["qkv_w"] + b["qkv_b"]).split(C, dim=2)
    q = q.view(bsz, n, H, D).transpose(1, 2) / math.sqrt(D)
    k = k.view(bsz, n, H, D).transpose(1, 2)
    v = v.view(bsz, n, H, D).transpose(1, 2)
    if cache is not None:
        cache[0][:, :, start:start + n] = k
        cache[1][:, :, start:start + n] = v
        k = cache[0][:, :, :start + n]
        v = cache[1][:, :, :start + n]
    s = q @ k.transpose(2, 3)
    if n > 1:
        mask = torch.ones(n, start + n, dtype=torch.bool).tril(diagonal=start)
        s = s.masked_fill(~mask, float("-inf"))
    a = (s.softmax(-1) @ v).transpose(1, 2).reshape(bsz, n, C)
    x = x + a @ b["o_w"] + b["o_b"]
    h = F.layer_norm(x, (C,), b["ln2_g"], b["ln2_b"], 1e-5)
    return x + F.gelu(h @ b["w1"] + b["b1"], approximate="tanh") @ b["w2"] + b["b2"]


def forward(tokens, caches, start):
    x = W["tok"][tokens] + W["pos"][start:start + tokens.shape[1]]
    for i, b in enumerate(W["blocks"]):
        x = block(x, b, caches[i] if caches else None, start)
    x = F.layer_norm(x[:, -1], (C,), W["lnf_g"], W["lnf_b"], 1e-5)
    return x @ W["out_w"] + W["out_b"]


@torch.inference_mode()
def cached(batch):
    tokens = torch.randint(3, V, (batch, PROMPT))
    caches = [(torch.zeros(batch, H, T, D), torch.zeros(batch, H, T, D)) for _ in range(L)]
    nxt = forward(tokens, caches, 0).argmax(-1, keepdim=True)
    for i in range(NEW - 1):
        nxt = forward(nxt, caches, PROMPT + i).argmax(-1, keepdim=True)
    return batch * NEW


@torch.inference_mode()
def recompute(new):
    seq = torch.randint(3, V, (1, PROMPT))
    for _ in range(new):
        seq = torch.cat([seq, forward(seq, None, 0).argmax(-1, keepdim=True)], dim=1)
    return new


def measure(name, fn):
    w0, c0 = time.perf_counter(), time.process_time()
    n = fn()
    w, c = time.perf_counter() - w0, time.process_time() - c0
    print(f"{name} new_tokens={n} wall_s={w:.2f} tokens_per_s={n / w:.0f} cpu_tokens_per_s={n / c:.0f}", flush=True)


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for r in range(rounds):  # the first round warms up
        measure("recompute batch=1", lambda: recompute(NEW if r else 16))
        for b in (1, 16, 64):
            measure(f"cache batch={b}", lambda: cached(b))
