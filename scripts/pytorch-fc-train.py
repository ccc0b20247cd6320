"""Trains MNIST-FC (784-100-50-10, ReLU) in PyTorch on Fashion-MNIST's 55,000 training images (the
paper's split: numpy RandomState(0).permutation(60000)[:5000] is validation) and saves what
`lca import` reads, as docs/import.md recommends: a safetensors state dict per step (written by hand:
a JSON header and the raw bytes), the ONNX graph with a dynamic batch axis, and x, y as .npz.
  /usr/bin/python3 scripts/pytorch-fc-train.py OUT_DIR [STEPS] [IDX_DIR]
Writes OUT_DIR/model.onnx, OUT_DIR/train.npz, OUT_DIR/ckpt/step-00000.safetensors … (STEPS + 1 files)."""
import gzip, json, os, sys

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ left in scripts/peer
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "peer"))
from safetensors_file import save_safetensors  # noqa: E402

out = sys.argv[1]
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 100
idx_dir = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
os.makedirs(f"{out}/ckpt", exist_ok=True)


def idx(name, offset):
    with gzip.open(f"{idx_dir}/{name}", "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


images = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
labels = idx("train-labels-idx1-ubyte.gz", 8)
val = np.random.RandomState(0).permutation(len(images))[:5000]
keep = np.setdiff1d(np.arange(len(images)), val)  # ascending: the original order
x = (images[keep] / 255.0).astype(np.float32)
y = labels[keep].astype(np.int64)
np.savez(f"{out}/train.npz", x=x, y=y, x_val=(images[val] / 255.0).astype(np.float32), y_val=labels[val].astype(np.int64))


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
xt, yt = torch.from_numpy(x), torch.from_numpy(y)
for step in range(steps + 1):
    save_safetensors(f"{out}/ckpt/step-{step:05d}.safetensors", model.state_dict())
    if step == steps:
        break
    batch = order[(step * 250) % len(x):][:250]
    opt.zero_grad()
    nn.functional.cross_entropy(model(xt[batch]), yt[batch]).backward()
    opt.step()
torch.onnx.export(model, xt[:2], f"{out}/model.onnx", input_names=["x"], output_names=["logits"],
                  dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17)
print(json.dumps({"steps": steps, "train": len(x), "out": out}))
