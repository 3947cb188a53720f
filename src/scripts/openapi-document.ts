import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';

/** The OpenAPI document as committed: built from the route schemas of an app on a throwaway database. */
export async function openapiDocument(): Promise<string> {
  const app = await buildApp(loadConfig({ DATA_DIR: 'memory://', MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent' }));
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
