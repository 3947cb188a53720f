import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Actor } from '../plugins/auth/actor.js';
import { AppError } from './errors.js';

/** What a service needs to know about the call it serves; services never see request or reply. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  log: FastifyBaseLogger;
}

export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.actor) throw new AppError('unauthorized');
  return { actor: request.actor, requestId: String(request.id), log: request.log };
}
