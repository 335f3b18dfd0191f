#!/usr/bin/env bash
# Makes sure Debian's Fashion-MNIST is installed for the demo image catalog (docs/image.md §6):
# the package dataset-fashion-mnist (MIT) puts the four IDX files in /usr/share/datasets/fashion-mnist.
set -euo pipefail
DIR="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
present() {
  for f in "${FILES[@]}"; do [ -f "$DIR/$f" ] || return 1; done
}
if present; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Fashion-MNIST is missing at $DIR. Install it with: sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist" >&2
  echo "(or set FASHION_MNIST_DIR to a directory holding ${FILES[*]})" >&2
  exit 1
fi
echo "Installing Debian's dataset-fashion-mnist for the demo image catalog..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq dataset-fashion-mnist >/dev/null
present || { echo "dataset-fashion-mnist was installed but $DIR does not hold ${FILES[*]}" >&2; exit 1; }
