"""Reads and writes safetensors files without the safetensors package (Debian lacks it): an 8-byte
little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} padded to 8 bytes,
then the raw little-endian bytes."""
import json, struct

import numpy as np

CODES = {np.float32: "F32", np.float16: "F16", np.float64: "F64", np.int64: "I64"}
DTYPES = {code: np.dtype(t).newbyteorder("<") for t, code in CODES.items()}


def load_safetensors(path):
    """{name: numpy array} in the header's order."""
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    body = memoryview(data)[8 + length:]
    return {name: np.frombuffer(body[e["data_offsets"][0]:e["data_offsets"][1]], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
            for name, e in header.items() if name != "__metadata__"}


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
