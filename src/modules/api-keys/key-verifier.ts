import type { Database } from '../../db/client.js';
import type { Actor } from '../../plugins/auth/actor.js';
import { findApiKeyByLookup } from './api-key-repository.js';
import { hashSecret, sameHash } from './api-key-secret.js';

interface CacheEntry {
  actor: Actor;
  expiresAt: number;
}

const MAX_CACHED_KEYS = 10_000;
/** How long a key that verified stays known to `knows`, whatever the cache's TTL. */
const KNOWN_FOR_MS = 10 * 60_000;

/**
 * Resolves a bearer secret to its Actor. Verified keys are cached for a few seconds so a busy
 * client costs one SHA-256 per request instead of a database round trip; a revocation through
 * this instance drops its cache entry at once, other instances follow within the TTL.
 */
export function createKeyVerifier(db: Database, ttlMs: number, now: () => number = Date.now) {
  const cache = new Map<string, CacheEntry>();
  /** Keys that verified lately, by hash: what a client refused unknown keys may still present. */
  const known = new Map<string, { keyId: string; until: number }>();

  async function verify(secret: string): Promise<Actor | null> {
    const { secretHash, lookup } = hashSecret(secret);
    const cached = cache.get(secretHash);
    if (cached && cached.expiresAt > now()) return cached.actor;
    const row = await findApiKeyByLookup(db, lookup);
    if (!row || row.revokedAt || !sameHash(row.secretHash, secretHash)) {
      cache.delete(secretHash);
      return null;
    }
    const actor: Actor = {
      keyId: row.id,
      role: row.role,
      communityId: row.communityId,
      organizationId: row.organizationId,
      regionCode: row.regionCode,
    };
    if (ttlMs > 0) {
      if (cache.size >= MAX_CACHED_KEYS) cache.clear();
      cache.set(secretHash, { actor, expiresAt: now() + ttlMs });
    }
    if (known.size >= MAX_CACHED_KEYS) known.clear();
    known.set(secretHash, { keyId: actor.keyId, until: now() + KNOWN_FOR_MS });
    return actor;
  }

  /** Whether `secret` verified within the last ten minutes (it is still verified again, revocation and all). */
  function knows(secret: string): boolean {
    const entry = known.get(hashSecret(secret).secretHash);
    return entry !== undefined && entry.until > now();
  }

  function forget(keyId: string): void {
    for (const [hash, entry] of cache) if (entry.actor.keyId === keyId) cache.delete(hash);
    for (const [hash, entry] of known) if (entry.keyId === keyId) known.delete(hash);
  }

  return { verify, knows, forget };
}

export type KeyVerifier = ReturnType<typeof createKeyVerifier>;
