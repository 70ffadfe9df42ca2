import type { EndpointPermissions } from '../store/repositories/api-key-repository.ts';

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * FusionAuth semantics: a key without endpoint permissions may call everything; otherwise the most
 * specific listed endpoint that is the path or a parent of it decides which methods are allowed.
 */
export function isAllowed(permissions: EndpointPermissions, method: string, path: string): boolean {
  const endpoints = Object.keys(permissions);
  if (endpoints.length === 0) return true;
  let best: string | undefined;
  for (const endpoint of endpoints) {
    const trimmed = endpoint.replace(/\/+$/, '');
    if ((path === trimmed || path.startsWith(`${trimmed}/`)) && (best === undefined || trimmed.length > best.length)) {
      best = endpoint;
    }
  }
  if (best === undefined) return false;
  return (permissions[best] ?? []).some((allowed) => allowed.toUpperCase() === method);
}
