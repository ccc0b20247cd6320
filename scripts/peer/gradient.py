"""PyTorch peer for scripts/bench: the full-dataset loss + gradient of one of the paper's networks, mean
cross-entropy summed over fixed evaluation batches, as lca computes it. Prints one JSON line.
  python3 gradient.py fc|lenet|resnet20|allcnn EXAMPLES REPEATS BATCH THREADS FIXTURE_IMAGES [GRADIENTS_PER_REPEAT]
The architectures are lca's, in networks.py. MNIST networks read the fixture's images; CIFAR ones take random images
(the cost depends on shapes, not values). torch's NCHW layout flattens in another order than lca's
NHWC; the cost is the same. GRADIENTS_PER_REPEAT (default 1) times that many gradients in a row: 2 is
the peer's cost of one LCA iteration without doubling. peak_rss_mb is the process's high-water mark; cpu_seconds the process's CPU time per repeat (median), the
figure that compares on a loaded machine. It runs with glibc's MALLOC_MMAP_THRESHOLD_ raised (below) unless
that is set already."""
import gzip, json, os, resource, sys, time

# glibc hands every allocation over 32 MB back to the kernel when it is freed, so each batch's large
# activations came back as fresh zeroed pages: at ResNet-20's batch of 2,500 half the peer's CPU time was
# page faults (16.3 s a gradient, 7.7 s with this). Re-executed with a threshold above any tensor here,
# freed memory is kept and reused, as lca's engine keeps its arena; the peer is then at its best.
if os.environ.get("MALLOC_MMAP_THRESHOLD_") is None:
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(4 << 30)})

import numpy as np
import torch

from networks import network

model_name = sys.argv[1]
examples, repeats, batch, threads = (int(a) for a in sys.argv[2:6])
fixture_images = sys.argv[6]
per_repeat = int(sys.argv[7]) if len(sys.argv) > 7 else 1
torch.set_num_threads(threads)
nn = torch.nn

torch.manual_seed(0)
model = network(model_name)
model.train()  # BN with batch statistics, as lca evaluates it
if model_name in ("fc", "lenet"):
    with gzip.open(fixture_images, "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    reps = -(-examples // raw.shape[0])
    x = torch.from_numpy(np.tile(raw, (reps, 1, 1, 1))[:examples].astype(np.float32) / 255.0)
else:
    x = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (examples, 3, 32, 32), dtype=np.uint8).astype(np.float32) / 255.0)
y = torch.from_numpy(np.arange(examples) % 10)
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
times, cpu_times = [], []
for _ in range(repeats):
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(per_repeat):
        loss_and_gradient()
    times.append(time.perf_counter() - start)
    cpu_times.append(time.process_time() - cpu_start)
seconds = sorted(times)[len(times) // 2]
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
blas_name = "openblas" if "openblas" in blas else "reference BLAS" if "/blas/" in blas else os.path.basename(os.path.dirname(blas))
print(json.dumps({"backend": f"pytorch {torch.__version__} {blas_name} ({threads} thread{'s' if threads > 1 else ''})",
                  "parameters": sum(p.numel() for p in model.parameters()),
                  "examples": examples, "seconds": seconds, "cpu_seconds": sorted(cpu_times)[len(cpu_times) // 2], "examples_per_second": examples * per_repeat / seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
