"""PyTorch peer for scripts/bench: the full-dataset loss + gradient of MNIST-FC or MNIST-LeNet, mean
cross-entropy summed over fixed evaluation batches, as lca computes it. Prints one JSON line.
  python3 gradient.py fc|lenet EXAMPLES REPEATS BATCH THREADS FIXTURE_IMAGES [GRADIENTS_PER_REPEAT]
MNIST-FC: 784-100-50-10, ReLU. MNIST-LeNet (src/models/mnist-lenet.ts): conv 5×5 20 same, ReLU,
max-pool 2, conv 5×5 40 same, ReLU, max-pool 2, flatten 1960, dense 400 ReLU, dense 10 (dropout is
the identity at evaluation). torch's NCHW layout flattens in another order than lca's NHWC; the cost
is the same. GRADIENTS_PER_REPEAT (default 1) times that many gradients in a row: 2 is the peer's
cost of one LCA iteration without doubling."""
import gzip, json, os, sys, time

import numpy as np
import torch

model_name = sys.argv[1]
examples, repeats, batch, threads = (int(a) for a in sys.argv[2:6])
fixture_images = sys.argv[6]
per_repeat = int(sys.argv[7]) if len(sys.argv) > 7 else 1
torch.set_num_threads(threads)

with gzip.open(fixture_images, "rb") as f:
    raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
reps = -(-examples // raw.shape[0])
x = torch.from_numpy(np.tile(raw, (reps, 1))[:examples].astype(np.float32) / 255.0)
y = torch.from_numpy(np.arange(examples) % 10)

torch.manual_seed(0)
nn = torch.nn
if model_name == "fc":
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10))
elif model_name == "lenet":
    x = x.reshape(-1, 1, 28, 28)
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 40, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1960, 400), nn.ReLU(), nn.Linear(400, 10))
else:
    sys.exit(f"unknown model {model_name} (fc or lenet)")
loss_fn = nn.CrossEntropyLoss(reduction="sum")


def loss_and_gradient():
    model.zero_grad()
    total = 0.0
    for start in range(0, examples, batch):
        loss = loss_fn(model(x[start:start + batch]), y[start:start + batch]) / examples
        loss.backward()
        total += loss.item()
    return total


loss_and_gradient()
times = []
for _ in range(repeats):
    start = time.perf_counter()
    for _ in range(per_repeat):
        loss_and_gradient()
    times.append(time.perf_counter() - start)
seconds = sorted(times)[len(times) // 2]
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
blas_name = "openblas" if "openblas" in blas else "reference BLAS" if "/blas/" in blas else os.path.basename(os.path.dirname(blas))
print(json.dumps({"backend": f"pytorch {torch.__version__} {blas_name} ({threads} thread{'s' if threads > 1 else ''})",
                  "examples": examples, "seconds": seconds, "examples_per_second": examples * per_repeat / seconds}))
