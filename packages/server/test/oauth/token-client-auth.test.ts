import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { backends } from '../helpers/test-stores.ts';
import {
  callbackParameters,
  createOAuthApplication,
  createOAuthUser,
  seedAuthorizationCode,
  startOAuthServer,
  testPassword,
  type OAuthClientApp,
  type OAuthServer,
} from '../helpers/oauth-fixtures.ts';

const insecure = { [oauth.allowInsecureRequests]: true };
const clientPolicies = ['Required', 'NotRequired', 'NotRequiredWhenUsingPKCE'] as const;
const pkcePolicies = ['NotRequired', 'Required', 'NotRequiredWhenUsingClientAuthentication'] as const;
type ClientPolicy = (typeof clientPolicies)[number];
type PkcePolicy = (typeof pkcePolicies)[number];
type Outcome = readonly [status: number, error?: string, reason?: string];

/**
 * FusionAuth's table "When is the client secret required" (apis/oauth/client-secret) and its
 * proofKeyForCodeExchangePolicy, for the authorization code grant.
 */
function expectedForCode(clientPolicy: ClientPolicy, pkcePolicy: PkcePolicy, secret: boolean, pkce: boolean): Outcome {
  if (!secret && (clientPolicy === 'Required' || (clientPolicy === 'NotRequiredWhenUsingPKCE' && !pkce))) return [401, 'invalid_client', 'client_authentication_missing'];
  if (!pkce && (pkcePolicy === 'Required' || (pkcePolicy === 'NotRequiredWhenUsingClientAuthentication' && !secret))) return [400, 'invalid_grant', 'missing_code_verifier'];
  return [200];
}

/** The password and refresh_token grants: NotRequiredWhenUsingPKCE does not spare them (fusionauth-issues#1653). */
function expectedForOthers(clientPolicy: ClientPolicy, secret: boolean): Outcome {
  return !secret && clientPolicy !== 'NotRequired' ? [401, 'invalid_client', 'client_authentication_missing'] : [200];
}

async function assertOutcome(response: Response, expected: Outcome, label: string) {
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, expected[0], `${label}: ${JSON.stringify(body)}`);
  if (expected[1] !== undefined) assert.equal(body['error'], expected[1], label);
  if (expected[2] !== undefined) assert.equal(body['error_reason'], expected[2], label);
  if (expected[0] === 401) assert.match(response.headers.get('www-authenticate') ?? '', /^Basic /, label);
}

for (const backend of backends) {
  describe(`client authentication policy x PKCE policy on ${backend}`, () => {
    let server: OAuthServer;
    const apps = new Map<string, OAuthClientApp>();

    before(async () => {
      server = await startOAuthServer(backend);
      for (const clientAuthenticationPolicy of clientPolicies) {
        for (const proofKeyForCodeExchangePolicy of pkcePolicies) {
          apps.set(
            `${clientAuthenticationPolicy}/${proofKeyForCodeExchangePolicy}`,
            await createOAuthApplication(server, { oauthConfiguration: { clientAuthenticationPolicy: clientAuthenticationPolicy as never, proofKeyForCodeExchangePolicy: proofKeyForCodeExchangePolicy as never } }),
          );
        }
      }
    });
    after(async () => {
      await server.close();
    });

    for (const clientPolicy of clientPolicies) {
      for (const pkcePolicy of pkcePolicies) {
        it(`authorization_code with clientAuthenticationPolicy ${clientPolicy}, proofKeyForCodeExchangePolicy ${pkcePolicy}`, async () => {
          const app = apps.get(`${clientPolicy}/${pkcePolicy}`)!;
          const user = await createOAuthUser(server, app.application);
          // Secret via Basic with PKCE, secret in the body without, and the two public variants.
          const modes = [
            { secret: true, pkce: true, auth: oauth.ClientSecretBasic(app.clientSecret) },
            { secret: true, pkce: false, auth: oauth.ClientSecretPost(app.clientSecret) },
            { secret: false, pkce: true, auth: oauth.None() },
            { secret: false, pkce: false, auth: oauth.None() },
          ];
          for (const mode of modes) {
            const seeded = await seedAuthorizationCode(server, app, user, { pkce: mode.pkce ? 'S256' : 'none' });
            const response = await oauth.authorizationCodeGrantRequest(
              server.as,
              app.client,
              mode.auth,
              callbackParameters(server, app, seeded.code),
              app.redirectUri,
              seeded.codeVerifier ?? oauth.nopkce,
              insecure,
            );
            await assertOutcome(response, expectedForCode(clientPolicy, pkcePolicy, mode.secret, mode.pkce), `secret ${mode.secret}, PKCE ${mode.pkce}`);
          }
        });
      }

      it(`password and refresh_token with clientAuthenticationPolicy ${clientPolicy}`, async () => {
        const app = apps.get(`${clientPolicy}/NotRequired`)!;
        const user = await createOAuthUser(server, app.application);
        const credentials = { username: user.email!, password: testPassword, scope: 'offline_access' };
        const withSecret = await oauth.genericTokenEndpointRequest(server.as, app.client, oauth.ClientSecretPost(app.clientSecret), 'password', credentials, insecure);
        const tokens = (await withSecret.clone().json()) as { refresh_token: string };
        await assertOutcome(withSecret, [200], 'password with a secret');
        const publicPassword = await oauth.genericTokenEndpointRequest(server.as, app.client, oauth.None(), 'password', credentials, insecure);
        await assertOutcome(publicPassword, expectedForOthers(clientPolicy, false), 'password without a secret');

        const publicRefresh = await oauth.refreshTokenGrantRequest(server.as, app.client, oauth.None(), tokens.refresh_token, insecure);
        await assertOutcome(publicRefresh, expectedForOthers(clientPolicy, false), 'refresh without a secret');
        const refresh = await oauth.refreshTokenGrantRequest(server.as, app.client, oauth.ClientSecretBasic(app.clientSecret), tokens.refresh_token, insecure);
        await assertOutcome(refresh, [200], 'refresh with a secret');
      });
    }

    it('refuses a wrong secret under every policy, PKCE or not', async () => {
      for (const [label, app] of apps) {
        const user = await createOAuthUser(server, app.application);
        const seeded = await seedAuthorizationCode(server, app, user);
        const response = await oauth.authorizationCodeGrantRequest(server.as, app.client, oauth.ClientSecretPost('wrong'), callbackParameters(server, app, seeded.code), app.redirectUri, seeded.codeVerifier!, insecure);
        await assertOutcome(response, [401, 'invalid_client', 'invalid_client_authentication'], label);
      }
    });
  });
}
