import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { issuerFor } from '../tokens/issuer.ts';
import { type AuthorizationDeps, proceedWithSession, sendRedirectedError } from '../authorization/authorization-flow.ts';
import { authorizationRequest, readParameters, RedirectedError, trustedClient } from '../authorization/authorization-request.ts';
import { requireFormBody } from '../authorization/hosted-form.ts';

/**
 * GET|POST /oauth2/authorize (RFC 6749 §3.1, §4.1.1, §4.2.1; OIDC Core §3.1.2). The client and redirect
 * URI are checked first and any failure there is shown on Gatehouse's error page (thrown, rendered by
 * the hosted endpoints' error handler); every later failure is redirected to the client with `state`
 * and `iss`. A valid request meets the SSO session, the login page or the consent page.
 */
export function registerAuthorize(app: FastifyInstance, deps: AuthorizationDeps): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth2/authorize',
    // A HEAD must not issue a code or end a session (link checkers and prefetchers send them).
    exposeHeadRoute: false,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'POST') requireFormBody(request);
      const read = readParameters(request.method === 'POST' ? request.body : request.query);
      const client = await trustedClient(deps.settings, read);
      const custom = await deps.settings.scopes(client.application.id);
      try {
        const authorization = authorizationRequest(client, read, custom, issuerFor(client.tenant.settings, request));
        return await proceedWithSession(deps, request, reply, authorization, custom);
      } catch (error) {
        if (error instanceof RedirectedError) return sendRedirectedError(deps, request, reply, { target: error.target, application: client.application }, error.error);
        throw error;
      }
    },
  });
}
