import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { deviceCodeGrant } from './device-code.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { tokenExchangeGrantType } from './token-exchange.ts';
import type { TokenGrant } from './token-grant.ts';

export type { TokenGrant, TokenGrantDeps, TokenRequest, TokenResponse } from './token-grant.ts';

/**
 * The token endpoint's grants by `grant_type`. A new grant (device code, client credentials, token
 * exchange) is one module implementing TokenGrant and one line here.
 */
export const tokenGrants: ReadonlyMap<string, TokenGrant> = new Map(
  [authorizationCodeGrant, passwordGrant, refreshTokenGrant, clientCredentialsGrant, deviceCodeGrant, tokenExchangeGrantType].map((grant) => [grant.grantType, grant]),
);
