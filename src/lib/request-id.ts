import type { IncomingMessage } from 'node:http';
import { uuidv7 } from './ids.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honour a caller's X-Request-Id when it is safe to echo and log; otherwise make one. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : uuidv7();
}
