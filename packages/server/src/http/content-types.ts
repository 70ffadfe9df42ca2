import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/**
 * JSON (plus FusionAuth's PATCH media types) and form posts. Everything else is refused with 415 by
 * Fastify before any handler runs.
 */
export async function registerContentTypes(app: FastifyInstance): Promise<void> {
  // Fastify parses text/plain by default; no endpoint takes plain text, so it gets 415 like any other type.
  app.removeContentTypeParser('text/plain');
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/merge-patch+json', 'application/json-patch+json'], { parseAs: 'string' }, json);
  await app.register(formbody);
}
