import type { Database } from '../../db/client.js';
import type { Actor } from '../../plugins/auth/actor.js';
import { findApiKeyByLookup } from './api-key-repository.js';
import { hashSecret, sameHash } from './api-key-secret.js';

interface KeyEntry {
  actor: Actor;
  /** Answered from memory until then (the cache's TTL; 0 when nothing is cached). */
  cachedUntil: number;
  /** Known until then, whatever the cache's TTL: looked up again without `beforeUnknownLookup`. */
  knownUntil: number;
}

const MAX_KEYS = 10_000;
const KNOWN_FOR_MS = 10 * 60_000;

/**
 * Resolves a bearer secret to its Actor. Verified keys are cached for a few seconds so a busy
 * client costs one SHA-256 per request instead of a database round trip; a revocation through
 * this instance drops its entry at once, other instances follow within the TTL. A key that
 * verified in the last ten minutes stays known: only the lookup of a key the service does not
 * know calls `beforeUnknownLookup` first, which may refuse it by throwing (see auth-plugin).
 */
export function createKeyVerifier(db: Database, ttlMs: number, now: () => number = Date.now) {
  const keys = new Map<string, KeyEntry>();

  async function verify(secret: string, beforeUnknownLookup?: () => void): Promise<Actor | null> {
    const { secretHash, lookup } = hashSecret(secret);
    const entry = keys.get(secretHash);
    if (entry && entry.cachedUntil > now()) return entry.actor;
    if (!entry || entry.knownUntil <= now()) beforeUnknownLookup?.();
    const row = await findApiKeyByLookup(db, lookup);
    if (!row || row.revokedAt || !sameHash(row.secretHash, secretHash)) {
      if (entry) entry.cachedUntil = 0;
      return null;
    }
    const actor: Actor = {
      keyId: row.id,
      role: row.role,
      communityId: row.communityId,
      organizationId: row.organizationId,
      regionCode: row.regionCode,
    };
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(secretHash, { actor, cachedUntil: ttlMs > 0 ? now() + ttlMs : 0, knownUntil: now() + KNOWN_FOR_MS });
    return actor;
  }

  function forget(keyId: string): void {
    for (const [hash, entry] of keys) if (entry.actor.keyId === keyId) keys.delete(hash);
  }

  return { verify, forget };
}

export type KeyVerifier = ReturnType<typeof createKeyVerifier>;
