import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { maxPatchOperations } from '../validation/json-patch.ts';
import type { UpdateMode } from '../validation/update-body.ts';

const jsonPatchMediaType = 'application/json-patch+json';

/**
 * An RFC 6902 operation array. Only the array is checked here; each operation is checked as it applies,
 * so that errors name it as `patch[i].member` rather than by schema position.
 */
const jsonPatchBody = {
  type: 'array',
  description: 'RFC 6902 JSON Patch: operations on the request shape, e.g. [{"op": "replace", "path": "/user/firstName", "value": "Ada"}].',
  items: {
    description: `{"op": "add" | "remove" | "replace" | "move" | "copy" | "test", "path": JSON Pointer, "from"?: JSON Pointer (move, copy), "value"?: any (add, replace, test)}; at most ${maxPatchOperations}.`,
  },
} as const;

/**
 * Route options for a PATCH: `body` (the PUT body's schema, `{"tenant": {...}}`) for `application/json`
 * and `application/merge-patch+json`, an operation array for `application/json-patch+json`. Fastify skips
 * body validation for a media type its map does not list, so any other one (a form post) is refused here.
 */
export function patchRoute<S extends { readonly body: object }>(schema: S) {
  return {
    schema: {
      ...schema,
      body: {
        content: {
          'application/json': { schema: schema.body },
          'application/merge-patch+json': { schema: schema.body },
          [jsonPatchMediaType]: { schema: jsonPatchBody },
        },
      },
    },
    preValidation: async (request: FastifyRequest) => {
      const type = request.mediaType;
      if (type === 'application/json' || type === 'application/merge-patch+json' || type === jsonPatchMediaType) return;
      if (request.body === undefined) throw ApiError.field('request', 'invalid', 'The request needs a JSON body.');
      throw ApiError.general('invalidContentType', 'PATCH takes application/json, application/merge-patch+json or application/json-patch+json.', 415);
    },
  };
}

/**
 * What an update request asks for: PUT replaces with the object under `wrapper`; PATCH merges that object,
 * or, sent as `application/json-patch+json`, applies the body's operations.
 */
export function requestedUpdate(request: FastifyRequest, method: 'put' | 'patch', wrapper: string): { mode: UpdateMode; body: unknown } {
  if (method === 'patch' && request.mediaType === jsonPatchMediaType) return { mode: 'json-patch', body: request.body };
  const body = request.body as Record<string, unknown> | null | undefined;
  return { mode: method === 'put' ? 'replace' : 'merge', body: body?.[wrapper] };
}
