"""The paper's networks in PyTorch as lca defines them, shared by the peer bench (gradient.py) and the
float64 reference (../reference-gradient.py). Architectures (src/models/, original-conventions.md §3):
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
(§3), done here with ZeroPad2d. The parameters come in lca's variable order (model.parameters()), in
PyTorch's layouts (OIHW kernels, [out, in] dense weights)."""
import sys

import torch

nn = torch.nn
F = torch.nn.functional


def conv(cin, cout, size, stride=1):
    """A TF-SAME conv: symmetric padding at stride 1, bottom/right only for 3×3 at stride 2 on even sizes."""
    if stride == 1:
        return nn.Conv2d(cin, cout, size, padding=size // 2)
    pad = max(size - 2, 0)  # TF's total padding (⌈H/2⌉−1)·2 + k − H on even H, all of it bottom/right
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
