// A minimal animated-GIF writer (GIF89a): one global 256-colour palette, full frames of 8-bit
// palette indices compressed with the format's variable-width LZW, and the NETSCAPE2.0 loop block.
// Pieces are returned as Buffers so that a long animation streams to the file frame by frame.

const MIN_CODE_SIZE = 8; // 256 palette entries
const CLEAR = 1 << MIN_CODE_SIZE;
const END = CLEAR + 1;
const MAX_CODE = 4096; // codes are at most 12 bits

/** Header, logical screen with the global palette ([256 × 3] RGB), and the loop-forever extension. */
export function gifHeader(width: number, height: number, palette: Uint8Array): Buffer {
  if (palette.length !== 256 * 3) throw new RangeError(`GIF palette: expected 768 bytes (256 RGB), got ${palette.length}`);
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  screen.set([0xf7, 0, 0], 4); // global table present, 8 bits of colour resolution, 2^(7+1) entries; background 0; square pixels
  // Application extension NETSCAPE2.0: sub-block 1, loop count 0 = forever.
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'ascii'), 0x03, 0x01, 0x00, 0x00, 0x00]);
  return Buffer.concat([Buffer.from('GIF89a', 'ascii'), screen, palette, loop]);
}

/** The file's last byte. */
export const GIF_TRAILER = Buffer.from([0x3b]);

/** One full frame ([height × width] palette indices, row-major) shown for delay centiseconds. */
export function gifFrame(indices: Uint8Array, width: number, height: number, delay: number): Buffer {
  // Graphic control extension: disposal 1 (leave in place), no transparency.
  const control = Buffer.from([0x21, 0xf9, 0x04, 0x04, delay & 0xff, (delay >> 8) & 0xff, 0x00, 0x00]);
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7); // left = top = 0, no local table, not interlaced
  const data = lzw(indices);
  // Image data: the minimum code size, then sub-blocks of at most 255 bytes, then an empty block.
  const blocks = Buffer.alloc(1 + data.length + Math.ceil(data.length / 255) + 1);
  blocks[0] = MIN_CODE_SIZE;
  let o = 1;
  for (let i = 0; i < data.length; i += 255) {
    const n = Math.min(255, data.length - i);
    blocks[o++] = n;
    blocks.set(data.subarray(i, i + n), o);
    o += n;
  }
  blocks[o] = 0;
  return Buffer.concat([control, descriptor, blocks]);
}

// The dictionary as a flat table keyed by (prefix code << 8 | next index); a generation stamp per
// entry makes a clear O(1) instead of refilling 1M entries thousands of times per animation.
const codes = new Uint16Array(MAX_CODE << 8);
const stamps = new Uint32Array(MAX_CODE << 8);
let generation = 0;

/** GIF's LZW (LSB-first codes, clear when the 12-bit table is full), as omggif and giflib write it. */
export function lzw(indices: Uint8Array): Uint8Array {
  let out = new Uint8Array(Math.max(64, indices.length + (indices.length >> 1)));
  let length = 0;
  let bits = 0;
  let nbits = 0;
  let size = MIN_CODE_SIZE + 1;
  const push = (byte: number) => {
    if (length === out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[length++] = byte;
  };
  const emit = (code: number) => {
    bits |= code << nbits;
    nbits += size;
    for (; nbits >= 8; nbits -= 8, bits >>>= 8) push(bits & 0xff);
  };
  generation++;
  let next = END + 1;
  emit(CLEAR);
  if (indices.length === 0) {
    emit(END);
  } else {
    let prefix = indices[0];
    for (let i = 1; i < indices.length; i++) {
      const k = indices[i];
      const key = (prefix << 8) | k;
      if (stamps[key] === generation) {
        prefix = codes[key];
        continue;
      }
      emit(prefix);
      if (next === MAX_CODE) {
        emit(CLEAR);
        generation++;
        next = END + 1;
        size = MIN_CODE_SIZE + 1;
      } else {
        if (next >= 1 << size) size++;
        stamps[key] = generation;
        codes[key] = next++;
      }
      prefix = k;
    }
    emit(prefix);
    emit(END);
  }
  if (nbits > 0) push(bits & 0xff); // the last partial byte, zero-padded
  return out.subarray(0, length);
}
