"""PyTorch peer for scripts/bench: full-dataset loss + gradient of MNIST-FC (784-100-50-10, ReLU),
mean cross-entropy summed over fixed evaluation batches, as lca computes it. Prints one JSON line."""
import gzip, json, os, sys, time

import numpy as np
import torch

examples, repeats, batch, threads = (int(a) for a in sys.argv[1:5])
fixture_images = sys.argv[5]
torch.set_num_threads(threads)

with gzip.open(fixture_images, "rb") as f:
    raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
reps = -(-examples // raw.shape[0])
x = torch.from_numpy(np.tile(raw, (reps, 1))[:examples].astype(np.float32) / 255.0)
y = torch.from_numpy(np.arange(examples) % 10)

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10))
loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")


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
    loss_and_gradient()
    times.append(time.perf_counter() - start)
seconds = sorted(times)[len(times) // 2]
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
blas_name = "openblas" if "openblas" in blas else "reference BLAS" if "/blas/" in blas else os.path.basename(os.path.dirname(blas))
print(json.dumps({"backend": f"pytorch {torch.__version__} {blas_name} ({threads} thread{'s' if threads > 1 else ''})",
                  "examples": examples, "seconds": seconds, "examples_per_second": examples / seconds}))
