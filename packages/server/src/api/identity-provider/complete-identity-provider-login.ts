import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, FieldErrors } from '../../errors/api-error.ts';
import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import { ExternalJwtError } from '../../federation/external-jwt.ts';
import { applyFederatedSignIn, type FederatedRefusal } from '../../federation/federated-login.ts';
import { FederationError } from '../../federation/federation-error.ts';
import { stageLinkEventsOf } from '../../federation/link-event.ts';
import { authenticationTypeOf, enabledForApplication } from '../../federation/upstream-client.ts';
import { missingEvidence, verifyUpstreamEvidence, type VerifiedUpstreamLogin } from '../../federation/upstream-evidence.ts';
import { UpstreamError } from '../../federation/upstream-http.ts';
import { UpstreamMetadataError } from '../../federation/upstream-metadata.ts';
import { signLoginToken } from '../../identity/login/login-tokens.ts';
import { effectiveJwtConfiguration } from '../../identity/login/token-settings.ts';
import { issueRefreshToken } from '../../identity/refresh-tokens.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import type { Store } from '../../store/store.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import type { Upstreams } from '../../federation/upstreams.ts';
import { createValidator } from '../../validation/validator.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userJson } from '../user/user-json.ts';
import { identityProviderLoginSchema, type IdentityProviderLoginRequest } from './identity-provider-login-request.ts';

const validate = createValidator<IdentityProviderLoginRequest>(identityProviderLoginSchema, '');

export interface IdentityProviderLoginDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly settings: SettingsCache;
  readonly upstreams: Upstreams;
  readonly callers: ApiCallers;
  readonly events: EventBus;
  readonly now: () => number;
}

/** Refusals FusionAuth answers 404 (no user to log in: Disabled, noLink, ...ForExistingUser); the rest cannot be reconciled (401). */
const notFoundRefusals: ReadonlySet<FederatedRefusal> = new Set(['disabled', 'noLink', 'noUser', 'unsupported']);

/**
 * POST /api/identity-provider/login (FusionAuth's Complete the Login) and POST /api/jwt/reconcile (its
 * older ExternalJWT form). No API key is needed, as in FusionAuth: the upstream's code or JWT is the
 * credential. Gatehouse redeems the code (or verifies the JWT), applies the provider's linking strategy
 * and answers like the Login API: 200, 202 (not registered), 232 with `pendingIdPLinkId`
 * (CreatePendingLink), 401 (the upstream evidence is refused or cannot be reconciled), 404 (no user:
 * Disabled, noLink, a ...ForExistingUser strategy), 409/410 (an action prevents login, expired user),
 * 503 (the upstream cannot be reached).
 */
export function registerCompleteIdentityProviderLogin(app: FastifyInstance, deps: IdentityProviderLoginDeps) {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = validate(request.body);
    const caller = deps.callers.find(request);
    const scope = caller === undefined ? undefined : requestTenantId(request, caller);
    const application = await deps.settings.application(body.applicationId);
    const errors = new FieldErrors();
    if (application === undefined || !application.active || (scope !== undefined && application.tenantId !== scope)) {
      errors.add('applicationId', 'invalid', `No active application has the id ${body.applicationId}.`);
    }
    const provider = await deps.store.repositories.identityProviders.find(body.identityProviderId);
    if (provider === undefined || application === undefined || !enabledForApplication(provider, application.id)) {
      errors.add('identityProviderId', 'invalid', `No identity provider with the id ${body.identityProviderId} is enabled for this application.`);
    }
    const evidence = {
      code: body.data['code'],
      redirectUri: body.data['redirect_uri'],
      codeVerifier: body.data['code_verifier'],
      nonce: body.data['nonce'],
      encodedJWT: body.encodedJWT,
      refreshToken: body.refresh_token,
    };
    for (const member of provider === undefined ? [] : missingEvidence(provider, evidence)) errors.add(member, 'blank', `${member} is required for this identity provider.`);
    errors.throwIfAny();

    const verified = await verify(deps, provider!, evidence);
    const now = deps.now();
    const ipAddress = body.ipAddress ?? request.ip;
    const info = eventInfo(ipAddress, request.headers['user-agent']);
    const outcome = await applyFederatedSignIn(
      deps,
      {
        provider: provider!,
        application: application!,
        identity: verified.identity,
        profile: verified.profile,
        tokens: verified.tokens,
        noLink: body.noLink,
        stageLinkEvent: stageLinkEventsOf(deps.events, provider!, info),
      },
      now,
    );
    if (outcome.kind === 'pending') return reply.code(232).send({ pendingIdPLinkId: outcome.pendingId });
    if (outcome.kind === 'refused') {
      if (notFoundRefusals.has(outcome.reason)) throw ApiError.notFound();
      throw ApiError.general('IdentityProviderLinkRefused', `The upstream account cannot be linked (${outcome.reason}).`, 401);
    }

    if (outcome.linkEvent !== undefined) deps.events.publish(outcome.linkEvent);
    const found = await deps.store.repositories.logins.findSessionUser(outcome.user.id, now);
    if (found === undefined || !found.user.active) throw ApiError.notFound();
    if (found.user.expiry !== undefined && found.user.expiry <= now) return reply.code(410).send();
    if (found.loginPrevented) return reply.code(409).send();

    const tenant = await deps.settings.tenant(application!.tenantId);
    const registration = outcome.registrations.find((candidate) => candidate.applicationId === application!.id);
    const authenticationType = authenticationTypeOf(provider!);
    const refreshToken =
      registration !== undefined && !body.noJWT && application!.settings.loginConfiguration.generateRefreshTokens
        ? await issueRefreshToken(
            deps.store.repositories,
            { tenantId: outcome.user.tenantId, userId: outcome.user.id, applicationId: application!.id, metaData: { device: {}, scopes: [] } },
            effectiveJwtConfiguration(tenant!, application!),
            now,
          )
        : undefined;
    const token = body.noJWT
      ? undefined
      : await signLoginToken(deps.signingKeys, request, {
          tenant: tenant!,
          user: outcome.user,
          application: application!,
          registration,
          authenticationType,
          authTime: Math.floor(now / 1000),
          sessionId: refreshToken?.record.id,
          now,
        });
    await deps.events.emit({ type: 'user.login.success', tenantId: outcome.user.tenantId, applicationId: application!.id, authenticationType, identityProviderId: provider!.id, identityProviderName: provider!.name, ipAddress, info, user: outcome.user });
    return reply.code(registration === undefined ? 202 : 200).send({
      ...(token === undefined ? {} : { token: token.token, tokenExpirationInstant: token.expirationInstant }),
      ...(refreshToken === undefined ? {} : { refreshToken: refreshToken.value, refreshTokenId: refreshToken.record.id }),
      user: userJson(outcome.user, outcome.registrations),
    });
  };
  const options = { config: apiKeyPolicy('optional'), schema: { body: { type: 'object' } } };
  app.post('/identity-provider/login', options, handler);
  app.post('/jwt/reconcile', options, handler);
}

/** The upstream's evidence, verified; refusals are 401 with the reason, an unreachable upstream 503. */
async function verify(deps: IdentityProviderLoginDeps, provider: IdentityProvider, evidence: Parameters<typeof verifyUpstreamEvidence>[3]): Promise<VerifiedUpstreamLogin> {
  try {
    return await verifyUpstreamEvidence(deps.upstreams, deps.keyRing, provider, evidence);
  } catch (error) {
    if (error instanceof ExternalJwtError) throw ApiError.general('InvalidJWT', error.message, 401);
    if (error instanceof FederationError) {
      if (error.reason === 'upstream_unavailable') throw ApiError.general('IdentityProviderUnavailable', error.message, 503);
      throw ApiError.general('IdentityProviderLoginFailed', error.message, 401);
    }
    if (error instanceof UpstreamError || error instanceof UpstreamMetadataError) throw ApiError.general('IdentityProviderUnavailable', `The identity provider cannot be reached (${error.name}).`, 503);
    throw error;
  }
}
