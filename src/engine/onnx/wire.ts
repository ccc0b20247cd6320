// The protobuf wire format, read by hand: ONNX files are protobuf messages, and these few lines
// spare lca a generated-code dependency. Fields are yielded in file order with their raw payloads;
// the caller knows each message's field numbers (decode.ts for onnx.proto3).

/** One field of a message: varints as their 64 bits (lo, hi), fixed widths and byte strings as views. */
export type WireField =
  | { field: number; wire: 0; lo: number; hi: number }
  | { field: number; wire: 1; bytes: Uint8Array }
  | { field: number; wire: 2; bytes: Uint8Array }
  | { field: number; wire: 5; bytes: Uint8Array };

export class WireError extends Error {}

const TWO_32 = 2 ** 32;

/** A varint's 64 bits as a signed number (exact below 2^53, which every ONNX dim, attribute and count is). */
export const varintNumber = (lo: number, hi: number): number => (hi >= 2 ** 31 ? (hi - TWO_32) * TWO_32 + lo : hi * TWO_32 + lo);

/** A varint's 64 bits as a signed bigint (int64 tensor data, kept exact). */
export const varintBigInt = (lo: number, hi: number): bigint => BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));

export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** The next varint as unsigned 32-bit halves. */
  varint(): { lo: number; hi: number } {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const byte = this.buf[this.pos++];
      const bits = byte & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (shift - 32);
      if ((byte & 0x80) === 0) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new WireError('varint longer than 10 bytes');
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new WireError(`field of ${n} bytes runs past the end of its message`);
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return bytes;
  }

  next(): WireField {
    const key = this.varint();
    const field = key.lo >>> 3;
    const wire = key.lo & 7;
    switch (wire) {
      case 0:
        return { field, wire, ...this.varint() };
      case 1:
        return { field, wire, bytes: this.take(8) };
      case 2: {
        const { lo, hi } = this.varint();
        return { field, wire, bytes: this.take(varintNumber(lo, hi)) };
      }
      case 5:
        return { field, wire, bytes: this.take(4) };
      default:
        throw new WireError(`unsupported wire type ${wire} (field ${field})`);
    }
  }
}

/** Every field of a message, in order. */
export function* fields(bytes: Uint8Array): Generator<WireField> {
  const reader = new WireReader(bytes);
  while (!reader.done) yield reader.next();
}

/** A repeated varint field, packed (one byte string) or not (one varint per field). */
export function varints(f: WireField): { lo: number; hi: number }[] {
  if (f.wire === 0) return [{ lo: f.lo, hi: f.hi }];
  if (f.wire !== 2) throw new WireError(`field ${f.field}: expected varints, found wire type ${f.wire}`);
  const reader = new WireReader(f.bytes);
  const out: { lo: number; hi: number }[] = [];
  while (!reader.done) out.push(reader.varint());
  return out;
}

export const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
