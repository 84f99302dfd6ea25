# Sourced by the benchmarks that run Python (reference implementations, Parquet reshaping): sets $py to the
# interpreter of a private environment (PARITY_VENV, default bench/.venv) holding torch (CPU build), numpy and
# pyarrow, created on first use. Python is only for benchmarks, never a project dependency.
venv=${PARITY_VENV:-bench/.venv}
if ! "$venv/bin/python" -c 'import torch, numpy, pyarrow' 2>/dev/null; then
  python3 -m venv "$venv"
  # The CPU build of PyTorch (a plain "torch" can resolve to a CUDA build and its GPU libraries).
  "$venv/bin/pip" install -q --retries 1 --timeout 15 "torch==2.13.0+cpu" numpy pyarrow
fi
py="$venv/bin/python"
