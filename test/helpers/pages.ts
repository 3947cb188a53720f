import type { FastifyInstance } from 'fastify';
import { call } from './test-app.js';

/** Follows `nextCursor` from the first page to the last, returning each page's items. */
export async function collectPages(app: FastifyInstance, key: string, url: string, maxPages = 50): Promise<Record<string, any>[][]> {
  const pages: Record<string, any>[][] = [];
  let cursor: string | null = null;
  do {
    const separator = url.includes('?') ? '&' : '?';
    const res = await call(app, key, 'GET', cursor ? `${url}${separator}cursor=${encodeURIComponent(cursor)}` : url);
    if (res.statusCode !== 200) throw new Error(`collectPages: ${res.statusCode} ${res.body}`);
    const body = res.json() as { data: Record<string, any>[]; nextCursor: string | null };
    pages.push(body.data);
    cursor = body.nextCursor;
  } while (cursor && pages.length < maxPages);
  return pages;
}
