import { OAuthError } from '../../errors/oauth-error.ts';
import { parseScope } from './requested-scopes.ts';

/** One target entity of a client credentials request and the permissions asked on it. */
export interface TargetEntityScope {
  /** Lower-case. */
  readonly targetEntityId: string;
  /** The permissions named after the id, in request order without repeats; undefined: every granted one. */
  readonly permissions: readonly string[] | undefined;
}

/** The scope parameter of a client credentials request, read but not judged (see parseTargetEntityScopes). */
export interface TargetEntityScopes {
  /** The scope values as sent (repeats dropped): the `scope` the token and the response echo. */
  readonly values: readonly string[];
  /** One per target entity, values naming the same target merged. */
  readonly targets: readonly TargetEntityScope[];
  /** Why the parameter cannot be granted, whatever is stored; answered once the client is authenticated. */
  readonly error: OAuthError | undefined;
}

/** `target-entity:<uuid>` optionally followed by `:perm1,perm2` (FusionAuth's client credentials scope). */
const targetEntityScope = /^target-entity:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::([^,]+(?:,[^,]+)*))?$/i;

/** More targets than this in one request is refused: one token is not meant to open a whole tenant. */
export const maximumTargetEntities = 100;

function invalidTarget(description: string): OAuthError {
  return new OAuthError('invalid_scope', description, 400, { reason: 'invalid_target_entity_scope' });
}

/**
 * Splits `scope` into target entities (FusionAuth: space-separated `target-entity:<id>[:p1,p2]`, several
 * allowed). A value of any other shape is `invalid_scope` with FusionAuth's reason
 * `invalid_target_entity_scope`. Errors are returned, not thrown, so that the grant answers an
 * unauthenticated client with invalid_client whatever its scope says.
 */
export function parseTargetEntityScopes(raw: string | undefined): TargetEntityScopes {
  let values: string[];
  try {
    values = parseScope(raw);
  } catch (error) {
    return { values: [], targets: [], error: error as OAuthError };
  }
  const byTarget = new Map<string, { permissions: Set<string> | undefined }>();
  for (const value of values) {
    const match = targetEntityScope.exec(value);
    if (match === null) return { values, targets: [], error: invalidTarget(`The scope value ${value} is not of the form target-entity:<entity id>[:<permission>,...].`) };
    const id = match[1]!.toLowerCase();
    const named = match[2]?.split(',');
    const existing = byTarget.get(id);
    if (existing === undefined) byTarget.set(id, { permissions: named === undefined ? undefined : new Set(named) });
    // Asking for everything on a target once is asking for everything on it.
    else if (existing.permissions !== undefined) existing.permissions = named === undefined ? undefined : new Set([...existing.permissions, ...named]);
  }
  const targets = [...byTarget].map(([targetEntityId, { permissions }]) => ({ targetEntityId, permissions: permissions === undefined ? undefined : [...permissions] }));
  if (targets.length > maximumTargetEntities) return { values, targets: [], error: invalidTarget(`A request may name at most ${maximumTargetEntities} target entities.`) };
  return { values, targets, error: undefined };
}
