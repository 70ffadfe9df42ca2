import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

/**
 * JSON (plus FusionAuth's PATCH media types) and form posts. Everything else is refused with 415 by
 * Fastify before any handler runs.
 */
export async function registerContentTypes(app: FastifyInstance): Promise<void> {
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/merge-patch+json', 'application/json-patch+json'], { parseAs: 'string' }, json);
  await app.register(formbody);
}
