import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const container = (globalThis as { __pgContainer?: { stop(): Promise<unknown> } }).__pgContainer;
  const serverUrl = process.env.VH_TEST_SERVER_URL;
  const name = process.env.VH_TEST_DATABASE_NAME;
  if (serverUrl && name && !process.env.VH_KEEP_TEST_DATABASE) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  if (container) await container.stop();
  // The embedded template and every copy made of it live in one folder.
  const template = process.env.VH_TEST_PGLITE_TEMPLATE;
  if (template) rmSync(dirname(template), { recursive: true, force: true });
}
