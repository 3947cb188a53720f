/** Bitmaps over small dense integers (member numbers), bit n at byte n>>3, bit n&7. */
export function setBits(bitmap: Buffer | undefined, bits: Iterable<number>, on: boolean): Buffer {
  let out = bitmap ? Buffer.from(bitmap) : Buffer.alloc(0);
  for (const bit of bits) {
    const byte = bit >> 3;
    if (byte >= out.length) {
      if (!on) continue;
      out = Buffer.concat([out, Buffer.alloc(byte + 1 - out.length)]);
    }
    out[byte] = on ? out[byte]! | (1 << (bit & 7)) : out[byte]! & ~(1 << (bit & 7));
  }
  return out;
}

/** OR of several bitmaps of any lengths. */
export function unionBitmaps(bitmaps: readonly Buffer[]): Buffer {
  const length = bitmaps.reduce((max, b) => Math.max(max, b.length), 0);
  const out = Buffer.alloc(length);
  for (const bitmap of bitmaps) for (let i = 0; i < bitmap.length; i += 1) out[i] = out[i]! | bitmap[i]!;
  return out;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = i;
  let count = 0;
  while (n) {
    count += n & 1;
    n >>= 1;
  }
  return count;
});

export function countBits(bitmap: Buffer): number {
  let count = 0;
  for (let i = 0; i < bitmap.length; i += 1) count += POPCOUNT[bitmap[i]!]!;
  return count;
}

/** Equal as sets of bits: trailing zero bytes (left by cleared bits) do not count. */
export function sameBits(a: Buffer, b: Buffer): boolean {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false;
  return true;
}

/** node-postgres returns bytea as a Buffer, PGlite as a Uint8Array. */
export function toBuffer(value: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value.replace(/^\\x/, ''), 'hex');
  return Buffer.from(value);
}
