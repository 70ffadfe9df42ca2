import { ApiError } from '../errors/api-error.ts';
import { applyJsonPatch, JsonPatchError } from './json-patch.ts';
import { mergePatch } from './merge-patch.ts';

/**
 * How an update's body is read: PUT replaces (`replace`); PATCH merges (RFC 7396, `merge`) for
 * `application/json` and `application/merge-patch+json`, or applies operations (RFC 6902, `json-patch`)
 * for `application/json-patch+json`.
 */
export type UpdateMode = 'replace' | 'merge' | 'json-patch';

/**
 * The whole object an update asks for, to be validated exactly like a PUT body. `body` is the object
 * under the request's wrapper (`{"tenant": {...}}` → `{...}`), or for JSON Patch the operation array.
 * JSON Patch works on the request's shape, `{ [root]: current }`, so its paths read as in FusionAuth:
 * `/tenant/name`, `/user/data/plan`. Patch errors are field errors on `patch[i]` (`[notFound]patch[1].path`).
 */
export function updatedBody(mode: UpdateMode, current: unknown, body: unknown, root: string): unknown {
  if (mode === 'replace') return body;
  if (mode === 'merge') return mergePatch(current, body);
  let patched: unknown;
  try {
    patched = applyJsonPatch({ [root]: current }, body);
  } catch (error) {
    if (error instanceof JsonPatchError) throw ApiError.field(error.field, error.reason, error.message);
    throw error;
  }
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched) || !Object.hasOwn(patched, root)) {
    throw ApiError.field(root, 'blank', `The patched document must still hold a [${root}] object.`);
  }
  return (patched as Record<string, unknown>)[root];
}
