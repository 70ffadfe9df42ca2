import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { sendRedirectedError, type AuthorizationDeps } from './authorization-flow.ts';
import { authorizationRequest, RedirectedError, trustedClient, type AuthorizationRequest, type TrustedClient } from './authorization-request.ts';
import { hostedForm, requireFormBody, type HostedForm } from './hosted-form.ts';

/** A hosted form's post with the authorization request it carries, validated again from scratch. */
export interface PostedAuthorization {
  readonly form: HostedForm;
  readonly client: TrustedClient;
  readonly custom: ReadonlyMap<string, ApplicationScope>;
  readonly authorization: AuthorizationRequest;
}

/**
 * Reads the login or consent form's post: the carried authorization parameters are validated exactly as
 * /oauth2/authorize validated them (nothing in the form is trusted). An untrusted client or redirect URI
 * throws (Gatehouse's error page); an error the client may hear is redirected to it, and `sent` is that reply.
 */
export async function postedAuthorization(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply): Promise<PostedAuthorization | { readonly sent: FastifyReply }> {
  requireFormBody(request);
  const form = hostedForm(request.body);
  const client = await trustedClient(deps.settings, form.authorization);
  const custom = await deps.settings.scopes(client.application.id);
  try {
    return { form, client, custom, authorization: authorizationRequest(client, form.authorization, custom, issuerFor(client.tenant.settings, request)) };
  } catch (error) {
    if (error instanceof RedirectedError) return { sent: sendRedirectedError(deps, request, reply, { target: error.target, application: client.application }, error.error) };
    throw error;
  }
}
