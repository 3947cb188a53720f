import type { Database } from '../../db/client.js';
import type { Actor } from '../../plugins/auth/actor.js';
import { findApiKeyByLookup } from './api-key-repository.js';
import { hashSecret, sameHash } from './api-key-secret.js';

interface CacheEntry {
  actor: Actor;
  expiresAt: number;
}

const MAX_CACHED_KEYS = 10_000;

/**
 * Resolves a bearer secret to its Actor. Verified keys are cached for a few seconds so a busy
 * client costs one SHA-256 per request instead of a database round trip; a revocation through
 * this instance drops its cache entry at once, other instances follow within the TTL.
 */
export function createKeyVerifier(db: Database, ttlMs: number) {
  const cache = new Map<string, CacheEntry>();

  async function verify(secret: string): Promise<Actor | null> {
    const { secretHash, lookup } = hashSecret(secret);
    const cached = cache.get(secretHash);
    if (cached && cached.expiresAt > Date.now()) return cached.actor;
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
      cache.set(secretHash, { actor, expiresAt: Date.now() + ttlMs });
    }
    return actor;
  }

  function forget(keyId: string): void {
    for (const [hash, entry] of cache) if (entry.actor.keyId === keyId) cache.delete(hash);
  }

  return { verify, forget };
}

export type KeyVerifier = ReturnType<typeof createKeyVerifier>;
