import type { FastifyRequest } from 'fastify';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import { issueAccessToken } from '../../oauth/tokens/access-token.ts';
import { issuerFor } from '../../oauth/tokens/issuer.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { effectiveJwtConfiguration } from './token-settings.ts';

export interface LoginTokenContext {
  readonly tenant: Tenant;
  readonly user: User;
  readonly application: Application | undefined;
  readonly registration: Registration | undefined;
  readonly authenticationType: string;
  /** Epoch seconds of the original authentication. */
  readonly authTime: number;
  readonly sessionId: string | undefined;
  readonly now: number;
}

/** The Login API's JWT: FusionAuth's claims, signed with the application's or tenant's key. */
export async function signLoginToken(signingKeys: SigningKeys, request: FastifyRequest, context: LoginTokenContext) {
  const jwt = effectiveJwtConfiguration(context.tenant, context.application);
  const key = await signingKeys.signerFor(jwt.keyId);
  return issueAccessToken(
    key,
    {
      userId: context.user.id,
      tenantId: context.user.tenantId,
      email: context.user.email,
      emailVerified: context.user.verified,
      username: context.user.username,
      applicationId: context.application?.id,
      registration: context.registration === undefined ? undefined : { applicationId: context.registration.applicationId, roles: context.registration.roles },
    },
    {
      issuer: issuerFor(context.tenant.settings, request),
      timeToLiveInSeconds: jwt.timeToLiveInSeconds,
      authenticationType: context.authenticationType,
      authTime: context.authTime,
      sessionId: context.sessionId,
      now: context.now,
    },
  );
}
