# Writes fixtures/interop/torch-*: two tiny networks exported by PyTorch's own ONNX exporter, a few
# checkpoints of each as safetensors (written by hand: a JSON header + raw bytes, so the safetensors
# package is not needed) and their data as .npz. The tests read these files to check `lca import`
# against what PyTorch really writes; CI never runs this script. Run: /usr/bin/python3 scripts/make-import-fixtures.py
import os, sys

import numpy as np, torch, torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ left in scripts/peer
sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'peer'))
from safetensors_file import save_safetensors  # noqa: E402

torch.manual_seed(0)
OUT = 'fixtures/interop'

class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 5)
        self.fc2 = nn.Linear(5, 3)
    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))

class ConvBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.bn = nn.BatchNorm2d(2)
        self.fc = nn.Linear(2 * 4 * 4, 3)
    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.bn(self.conv(x))), 1))

for name, net, shape, mode in [('mlp', Mlp(), (6,), torch.onnx.TrainingMode.EVAL), ('convbn', ConvBn(), (1, 4, 4), torch.onnx.TrainingMode.TRAINING)]:
    x = torch.randn(24, *shape)
    y = torch.randint(0, 3, (24,))
    np.savez(f'{OUT}/torch-{name}-data.npz', x=x.numpy(), y=y.numpy())
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(3):
        if step > 0:
            net.train()
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[:8]), y[:8]).backward()
            opt.step()
        save_safetensors(f'{OUT}/torch-{name}-step-{step}.safetensors', net.state_dict())
    torch.onnx.export(net, x[:2], f'{OUT}/torch-{name}.onnx', input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13,
                      training=mode, do_constant_folding=False)
    # The reference at the last checkpoint: Σ cross-entropy over all 24 examples in one batch and its
    # gradient (convbn normalises with that batch's statistics, as its training-mode export does).
    net.train(mode == torch.onnx.TrainingMode.TRAINING)
    net.zero_grad()
    loss = nn.functional.cross_entropy(net(x), y, reduction='sum')
    loss.backward()
    grads = {f'grad:{k}': p.grad.numpy() for k, p in net.named_parameters()}
    np.savez(f'{OUT}/torch-{name}-reference.npz', loss_sum=np.array([loss.item()], dtype=np.float64), **grads)
