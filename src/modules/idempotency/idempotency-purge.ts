import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { purgeExpiredKeys } from './idempotency.js';

const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Deletes Idempotency-Keys older than 24 h once an hour, so the table stays the size of a day. */
async function idempotencyPurge(app: FastifyInstance): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const purge = () => purgeExpiredKeys(app.db).catch((err: unknown) => app.log.warn({ err: { message: (err as Error).message } }, 'purging expired idempotency keys failed'));
  app.addHook('onReady', async () => {
    timer = setInterval(purge, PURGE_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}

export default fp(idempotencyPurge, { name: 'idempotency-purge', dependencies: ['database'] });
