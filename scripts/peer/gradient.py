"""PyTorch peer for scripts/bench: the full-dataset loss + gradient of one of the paper's networks, mean
cross-entropy summed over fixed evaluation batches, as lca computes it. Prints one JSON line.
  python3 gradient.py fc|lenet|resnet20|allcnn EXAMPLES REPEATS BATCH THREADS FIXTURE_IMAGES [GRADIENTS_PER_REPEAT]
The architectures are lca's (src/models/, ../shared/spec/original-conventions.md §3):
- fc: 784-100-50-10, ReLU.
- lenet: conv 5×5 20 same, ReLU, max-pool 2, conv 5×5 40 same, ReLU, max-pool 2, flatten 1960, dense 400
  ReLU, dense 10 (dropout is the identity, §3).
- resnet20: conv 3×3 16 + BN + ReLU, 3 stages × 3 blocks (16, 32, 64; conv-BN-ReLU-conv-BN, add, ReLU),
  the first block of stages 2 and 3 with stride 2 and a 1×1 stride-2 conv shortcut with bias; global
  average pool, dense 10. 273,066 parameters.
- allcnn: (conv-BN-ReLU) 96, 96, linear stride-2 conv 96, (conv-BN-ReLU) 192, 192, linear stride-2 conv
  192, (conv-BN-ReLU) 3×3 192, 1×1 192, conv 1×1 10, global average pool. 1,371,658 parameters.
Every conv has a bias; BN normalises with the batch's own statistics (training mode, biased variance,
ε 1e-3) and has γ, β. TF's SAME padding of a 3×3 stride-2 conv on an even size pads only bottom/right
(§3), done here with F.pad. MNIST networks read the fixture's images; CIFAR ones take random images
(the cost depends on shapes, not values). torch's NCHW layout flattens in another order than lca's
NHWC; the cost is the same. GRADIENTS_PER_REPEAT (default 1) times that many gradients in a row: 2 is
the peer's cost of one LCA iteration without doubling. peak_rss_mb is the process's high-water mark; cpu_seconds the process's CPU time per repeat (median), the
figure that compares on a loaded machine."""
import gzip, json, os, resource, sys, time

import numpy as np
import torch

model_name = sys.argv[1]
examples, repeats, batch, threads = (int(a) for a in sys.argv[2:6])
fixture_images = sys.argv[6]
per_repeat = int(sys.argv[7]) if len(sys.argv) > 7 else 1
torch.set_num_threads(threads)
nn = torch.nn
F = torch.nn.functional


def conv(cin, cout, size, stride=1):
    """A TF-SAME conv: symmetric padding at stride 1, bottom/right only for 3×3 at stride 2 on even sizes."""
    if stride == 1:
        return nn.Conv2d(cin, cout, size, padding=size // 2)
    pad = size - 1  # (⌈H/2⌉−1)·2 + k − H on even H
    layer = nn.Conv2d(cin, cout, size, stride=stride)
    return nn.Sequential(nn.ZeroPad2d((0, pad, 0, pad)), layer) if pad > 0 else layer


def bn(channels):
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.0)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(conv(cin, cout, 3, stride), bn(cout), nn.ReLU(), conv(cout, cout, 3), bn(cout))
        self.shortcut = conv(cin, cout, 1, stride) if stride != 1 else nn.Identity()

    def forward(self, x):
        return F.relu(self.main(x) + self.shortcut(x))


class GlobalAveragePool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def network(name):
    if name == "fc":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10))
    if name == "lenet":
        return nn.Sequential(
            conv(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), conv(20, 40, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1960, 400), nn.ReLU(), nn.Linear(400, 10))
    if name == "resnet20":
        blocks = [Block(w // 2 if (b == 0 and s > 0) else w, w, 2 if (b == 0 and s > 0) else 1)
                  for s, w in enumerate([16, 32, 64]) for b in range(3)]
        return nn.Sequential(conv(3, 16, 3), bn(16), nn.ReLU(), *blocks, GlobalAveragePool(), nn.Linear(64, 10))
    if name == "allcnn":
        def unit(cin, cout, size):
            return [conv(cin, cout, size), bn(cout), nn.ReLU()]
        return nn.Sequential(
            *unit(3, 96, 3), *unit(96, 96, 3), conv(96, 96, 3, 2),
            *unit(96, 192, 3), *unit(192, 192, 3), conv(192, 192, 3, 2),
            *unit(192, 192, 3), *unit(192, 192, 1), conv(192, 10, 1), GlobalAveragePool())
    sys.exit(f"unknown model {name} (fc, lenet, resnet20 or allcnn)")


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
