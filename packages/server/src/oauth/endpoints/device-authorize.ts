import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { applicationScopesByName } from '../../tenancy/application-scopes.ts';
import { authenticateClient, type ClientAuthenticationDeps } from '../client-auth/authenticate-client.ts';
import { requireDeviceClient, startDeviceAuthorization } from '../device/device-authorization.ts';
import { clientTenant } from '../grants/grant-client.ts';
import { parseScope, resolveScopes } from '../scopes/requested-scopes.ts';
import { formParameters, noStore, refuseOtherMethods } from './presented-token.ts';

/** Where the user goes with the code: the application's page, with the code as `user_code` (RFC 8628 §3.3.1). */
function withUserCode(verificationUri: string, userCode: string): string {
  const url = new URL(verificationUri);
  url.searchParams.set('user_code', userCode);
  return url.href;
}

/**
 * POST /oauth2/device_authorize (RFC 8628 §3.1–3.2): form-encoded; a confidential client authenticates
 * (DEV-01); the application must enable the device grant and, as FusionAuth requires, have a
 * deviceVerificationURL, which is the `verification_uri` (FusionAuth's hosted page is /oauth2/device:
 * the application's page sends the user there, or is that URL). `tenantId`, when sent, must be the
 * application's tenant. The scope goes through the application's scope policies as at /oauth2/authorize.
 */
export function registerDeviceAuthorize(app: FastifyInstance, deps: ClientAuthenticationDeps & { readonly now: () => number }): void {
  app.post('/oauth2/device_authorize', async (request: FastifyRequest, reply: FastifyReply) => {
    const parameters = formParameters(request);
    const client = await authenticateClient(deps, parameters, request.headers.authorization);
    requireDeviceClient(client);
    const { application } = client;
    const tenantId = parameters.get('tenantId');
    if (tenantId !== undefined && tenantId.toLowerCase() !== application.tenantId) {
      throw new OAuthError('invalid_request', 'The tenantId is not the tenant of this application.', 400, { reason: 'invalid_tenant_id' });
    }
    const verificationUri = application.settings.oauthConfiguration.deviceVerificationURL;
    // Application validation requires it with the device grant; an application stored otherwise cannot start the flow.
    if (verificationUri === undefined) throw new OAuthError('unauthorized_client', 'The application has no device verification URL.', 400, { reason: 'missing_device_verification_url' });
    const custom = await applicationScopesByName(deps.store.repositories, application.id);
    const scopes = resolveScopes(application, custom, parseScope(parameters.get('scope')));
    const tenant = await clientTenant(deps.store.repositories, client);
    const started = await startDeviceAuthorization(deps.store, { tenant, application, scopes }, deps.now());
    return noStore(reply).send({
      device_code: started.deviceCode,
      expires_in: started.expiresIn,
      interval: started.interval,
      user_code: started.userCode,
      verification_uri: verificationUri,
      verification_uri_complete: withUserCode(verificationUri, started.userCode),
    });
  });

  refuseOtherMethods(app, '/oauth2/device_authorize');
}
