import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';

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
  app.addContentTypeParser(['application/merge-patch+json', 'application/json-patch+json'], { parseAs: 'string' }, json);
  await app.register(formbody);
}
