import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';

/**
 * How deep a JSON body may nest. Deeper bodies would overflow the stack of the recursive code that
 * reads them (structuredClone, merge patch, the NUL check): a 400, never a 500. 1000 is also
 * Jackson's default limit (2.15+).
 */
export const maxJsonDepth = 1000;

/** Whether `text` opens more than `max` arrays or objects inside each other; a linear scan, strings skipped. */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      if (++depth > max) return true;
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return false;
}

/**
 * JSON (plus FusionAuth's PATCH media types) and form posts. Everything else is refused with 415 by
 * Fastify before any handler runs.
 */
export async function registerContentTypes(app: FastifyInstance): Promise<void> {
  // No endpoint takes plain text. FusionAuth's client labels its body-less POST /api/logout text/plain,
  // so an empty text/plain body is "no body"; any plain-text content gets 415 like other types.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') done(null, undefined);
    else done(Object.assign(new Error('text/plain bodies are not accepted'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), undefined);
  });
  const json = app.getDefaultJsonParser('error', 'error');
  const boundedJson = (request: FastifyRequest, body: string, done: (error: Error | null, body?: unknown) => void) => {
    if (jsonNestsDeeperThan(body, maxJsonDepth)) done(ApiError.general('invalidJSON', `The request body nests deeper than ${maxJsonDepth} levels.`), undefined);
    else json(request, body, done);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/merge-patch+json', 'application/json-patch+json'], { parseAs: 'string' }, boundedJson);
  await app.register(formbody);
}
