"""Side-by-side validation losses of a `refinery pretrain` run and of the reference (gpt_reference.py).

Usage: parity_table.py RUN_DIR REFERENCE.json TOLERANCE
Prints step | losses | ratio of the validation losses at every step where both evaluated, the worst ratio, and
whether every ratio is within 1 +- TOLERANCE (exit 0) or not (exit 1). The learning rates both logged at those
steps must agree (the reference's copy of the schedule against WarmupCosineSchedule).
"""
import json
import math
import os
import sys

import pyarrow.dataset as pads


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    run_dir, reference, tolerance = sys.argv[1], sys.argv[2], float(sys.argv[3])
    metrics = pads.dataset(os.path.join(run_dir, "metrics"), format="parquet").to_table().to_pylist()
    ours = {r["step"]: r for r in metrics}
    ref = json.load(open(reference))
    theirs = {r["step"]: r for r in ref["rows"] if r["val_loss"] is not None}
    check = ref.get("check", {})
    if "relative_difference" in check:
        print(f"initial validation loss ({check['windows']} windows, same parameters): java "
              f"{check['loss_per_token']:.6f}, reference {check['reference_loss_per_token']:.6f}, "
              f"relative difference {check['relative_difference']:.1e}")
    print(f"{'step':>5} | {'ours loss':>9} | {'ref loss':>8} | {'ours val_loss':>13} | {'ref val_loss':>12} | ratio")
    worst = None
    for step in sorted(s for s in ours if s in theirs and ours[s]["val_loss"] is not None):
        o, t = ours[step], theirs[step]
        if not math.isclose(o["lr"], t["lr"], rel_tol=1e-9):
            sys.exit(f"step {step}: learning rate {o['lr']} in the run, {t['lr']} in the reference")
        ratio = o["val_loss"] / t["val_loss"]
        if worst is None or abs(ratio - 1) > abs(worst[1] - 1):
            worst = (step, ratio)
        print(f"{step:>5} | {o['loss']:9.4f} | {t['loss']:8.4f} | {o['val_loss']:13.4f} | {t['val_loss']:12.4f} | {ratio:.4f}")
    if worst is None:
        sys.exit("no step where both evaluated")
    ok = abs(worst[1] - 1) <= tolerance
    print(f"worst ratio {worst[1]:.4f} at step {worst[0]}: {'within' if ok else 'NOT within'} "
          f"{tolerance:.0%} of the reference")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
