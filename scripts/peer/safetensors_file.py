"""Writes a state dict as a safetensors file without the safetensors package (Debian lacks it): an
8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} padded to 8
bytes, then the raw little-endian bytes."""
import json, struct

import numpy as np

CODES = {np.float32: "F32", np.float16: "F16", np.float64: "F64", np.int64: "I64"}


def save_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        a = t.detach().cpu().contiguous().numpy()
        b = a.tobytes()
        header[name] = {"dtype": CODES[a.dtype.type], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
