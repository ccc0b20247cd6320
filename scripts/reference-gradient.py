"""A float64 reference of lca's full-dataset loss and gradient (PyTorch, model.double()): what both float32
engines are measured against. scripts/reference-compare.ts writes its input and reads its output; run that.
  /usr/bin/python3 scripts/reference-gradient.py JOB.json INPUTS.safetensors OUT.safetensors
JOB.json: {"model": lca's name, "eval_batch_size": B, "variables": [{"name", "shape", "offset"}, ...]}.
INPUTS: x [N, H, W, C] float32 (the evaluated examples in evaluation order), y [N] int64, theta [P, K] float32.
OUT: loss [P] and gradient [P, K] float64 in θ's flat layout: L = Σ over batches of B of the summed
cross-entropy / N, as src/lca/batch-plan.ts defines it (each batch normalised with its own statistics)."""
import json, os, sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ left in scripts/peer
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer"))
from networks import network  # noqa: E402
from safetensors_file import load_safetensors, save_safetensors  # noqa: E402

# lca's names → the peer's. LeNet and VGG flatten [H, W, C] activations, which torch's NCHW would reorder.
PEERS = {"mnist-fc": "fc", "cifar-resnet20": "resnet20", "cifar-allcnn": "allcnn"}


def to_torch(values, shape):
    """lca's HWIO kernel / [in, out] dense weight / vector → PyTorch's OIHW / [out, in] / vector."""
    t = torch.from_numpy(values.astype(np.float64).reshape(shape))
    return t.permute(3, 2, 0, 1) if t.dim() == 4 else t.T if t.dim() == 2 else t


def from_torch(t):
    return (t.permute(2, 3, 1, 0) if t.dim() == 4 else t.T if t.dim() == 2 else t).reshape(-1).numpy()


def main(job_file, inputs_file, out_file):
    with open(job_file) as f:
        job = json.load(f)
    if job["model"] not in PEERS:
        sys.exit(f"{job_file}: no float64 reference for {job['model']} (only {', '.join(PEERS)})")
    torch.set_num_threads(1)  # a shared machine; the reference is not timed
    model = network(PEERS[job["model"]]).double()
    model.train()  # batch statistics, as lca evaluates
    params = list(model.parameters())
    variables = job["variables"]
    if len(params) != len(variables):
        sys.exit(f"{job['model']}: PyTorch has {len(params)} parameters, lca {len(variables)} variables")
    inputs = load_safetensors(inputs_file)
    x = torch.from_numpy(inputs["x"].astype(np.float64)).permute(0, 3, 1, 2)
    y = torch.from_numpy(inputs["y"].astype(np.int64))
    thetas = inputs["theta"]
    count, batch = x.shape[0], job["eval_batch_size"]
    losses, gradients = np.zeros(len(thetas)), np.zeros(thetas.shape)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    for p, theta in enumerate(thetas):
        with torch.no_grad():
            for param, v in zip(params, variables):
                value = to_torch(theta[v["offset"]:v["offset"] + int(np.prod(v["shape"]))], v["shape"])
                if value.shape != param.shape:
                    sys.exit(f"{v['name']}: lca's shape {v['shape']} is PyTorch's {list(value.shape)}, not {list(param.shape)}")
                param.copy_(value)
        model.zero_grad()
        total = 0.0
        for start in range(0, count, batch):
            loss = loss_fn(model(x[start:start + batch]), y[start:start + batch])
            loss.backward()
            total += loss.item()
        losses[p] = total / count
        for param, v in zip(params, variables):
            gradients[p, v["offset"]:v["offset"] + param.numel()] = from_torch(param.grad) / count
        print(f"point {p + 1}/{len(thetas)}: loss {losses[p]:.12f}", file=sys.stderr)
    save_safetensors(out_file, {"loss": torch.from_numpy(losses), "gradient": torch.from_numpy(gradients)})


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
