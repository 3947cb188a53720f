import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Executor } from './client.js';
import { appSecrets } from './schema/index.js';

/** The configured value, else the one stored in the database, else a new random one stored for everyone. */
export async function appSecret(db: Executor, name: string, configured?: string): Promise<string> {
  if (configured) return configured;
  await db.insert(appSecrets).values({ name, value: randomBytes(32).toString('base64url') }).onConflictDoNothing();
  const [row] = await db.select().from(appSecrets).where(eq(appSecrets.name, name)).limit(1);
  return row!.value;
}
