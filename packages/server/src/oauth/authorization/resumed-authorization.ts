import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { sendRedirectedError, type AuthorizationDeps } from './authorization-flow.ts';
import { authorizationRequest, readParameters, RedirectedError, trustedClient, type AuthorizationRequest } from './authorization-request.ts';

/**
 * A Gatehouse authorization request stored while the user was at an upstream provider, validated again
 * from scratch as /oauth2/authorize would (the application may have changed meanwhile). An untrusted
 * client throws (Gatehouse's error page); an error the client may hear is redirected, and `sent` is that reply.
 */
export async function resumedAuthorization(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  parameters: readonly (readonly [string, string])[],
): Promise<{ readonly authorization: AuthorizationRequest; readonly custom: ReadonlyMap<string, ApplicationScope> } | { readonly sent: FastifyReply }> {
  const read = readParameters(Object.fromEntries(parameters));
  const client = await trustedClient(deps.settings, read);
  const custom = await deps.settings.scopes(client.application.id);
  try {
    return { authorization: authorizationRequest(client, read, custom, issuerFor(client.tenant.settings, request)), custom };
  } catch (error) {
    if (error instanceof RedirectedError) return { sent: sendRedirectedError(deps, request, reply, { target: error.target, application: client.application }, error.error) };
    throw error;
  }
}
