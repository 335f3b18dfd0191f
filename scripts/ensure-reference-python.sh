#!/usr/bin/env bash
# Makes sure /usr/bin/python3 can run bench/reference/rkme_table.py, the port of the reference
# package's table spec used by bench/cli-spec.bench.ts (docs/reference-port.md): Debian's
# python3-torch, python3-numpy, python3-scipy and python3-cvxopt.
# Benchmarks only; npm test never needs it.
set -euo pipefail
PYTHON="${REFERENCE_PYTHON:-/usr/bin/python3}"
present() {
  "$PYTHON" -c 'import torch, numpy, scipy.optimize, cvxopt' >/dev/null 2>&1
}
if present; then
  exit 0
fi
if [ "$PYTHON" != /usr/bin/python3 ]; then
  echo "$PYTHON cannot import torch, numpy, scipy and cvxopt; install them for it (REFERENCE_PYTHON is not Debian's python)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "torch/numpy/scipy/cvxopt are missing for $PYTHON. Install them with: sudo apt-get update && sudo apt-get install -y python3-torch python3-numpy python3-scipy python3-cvxopt" >&2
  exit 1
fi
echo "Installing Debian's python3-torch, python3-numpy, python3-scipy and python3-cvxopt for the reference port..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-torch python3-numpy python3-scipy python3-cvxopt >/dev/null
present || { echo "python3-torch, python3-numpy, python3-scipy and python3-cvxopt were installed but $PYTHON still cannot import them" >&2; exit 1; }
