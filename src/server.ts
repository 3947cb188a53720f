import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { ensureBootstrapAdminKey } from './modules/api-keys/api-key-service.js';

/** The only file that listens: config → app → bootstrap key → listen → close gracefully on signals. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }

  const app = await buildApp(config);
  await app.ready();

  const secret = await ensureBootstrapAdminKey(app.db, config.BOOTSTRAP_ADMIN_KEY);
  if (secret && !config.BOOTSTRAP_ADMIN_KEY) {
    // Printed once, to the terminal, never to the log.
    process.stdout.write(`\nNo admin key existed, so one was created. It is shown only now:\n\n  ${secret}\n\n`
      + `Use it as: curl -H "Authorization: Bearer ${secret}" http://${config.HOST}:${config.PORT}/v1/communities\n\n`);
  }

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
