#!/usr/bin/env bash
# Installs the PyTorch peer that `npm run bench` compares against: Debian's python3-torch with
# OpenBLAS. Without libopenblas0-pthread, torch falls back to the reference BLAS and runs ~20×
# slower, which would flatter lca. Needs root (apt-get).
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread
/usr/bin/python3 -c "import torch; print('torch', torch.__version__)"
