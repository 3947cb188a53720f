import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 240 random bits; `vh_` marks the string as ours in secret scanners and logs. */
export function generateSecret(): string {
  return `vh_${randomBytes(30).toString('base64url')}`;
}

export interface HashedSecret {
  secretHash: string;
  lookup: string;
  start: string;
}

/**
 * Secrets are long and random, so a fast hash is enough (no password stretching needed); only
 * the hash is stored. `lookup` finds the row, the full hash is then compared in constant time.
 */
export function hashSecret(secret: string): HashedSecret {
  const secretHash = createHash('sha256').update(secret, 'utf8').digest('hex');
  return { secretHash, lookup: secretHash.slice(0, 16), start: secret.slice(0, 7) };
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
