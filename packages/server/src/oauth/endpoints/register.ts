import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { deleteClient, readClient, registerClient, updateClient } from '../registration/client-registrations.ts';
import { bearerToken, initialAccessTokenTenant, invalidToken, registeredClient } from '../registration/registration-credentials.ts';
import { mediaType, noStore } from './presented-token.ts';

export interface RegistrationEndpointDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly now: () => number;
}

/**
 * Registrations per client IP (DCR-01): with open registration anyone may create applications, and an
 * initial access token is worth guessing. In this process's memory (@fastify/rate-limit's local store),
 * like the login limiter: safe to lose; each node of a cluster counts for itself.
 */
export const registrationRateLimit = { max: 100, timeWindowMillis: 60_000 } as const;

type ClientRequest = FastifyRequest<{ Params: { clientId: string } }>;

/** RFC 7591 §3.1: the metadata comes as a JSON document. */
function requireJson(request: FastifyRequest): void {
  if (mediaType(request) !== 'application/json') throw new OAuthError('invalid_request', 'The client metadata must be sent as application/json (RFC 7591 §3.1).', 415);
}

/**
 * The tenant a registration goes to. With an initial access token (an API key allowed to POST
 * /oauth2/register), the key's tenant or the default tenant; without one, the default tenant, and only if
 * its `oauthConfiguration.dynamicClientRegistration` allows open registration. A tenant that turned
 * registration off refuses even a valid token (403).
 */
async function registrationTenant(deps: RegistrationEndpointDeps, authorization: string | undefined): Promise<string> {
  const { repositories } = deps.store;
  const token = bearerToken(authorization);
  const tenantId = token === undefined ? (await repositories.instance.find())?.defaultTenantId : await initialAccessTokenTenant(repositories, token, deps.now());
  const tenant = tenantId === undefined ? undefined : await repositories.tenants.find(tenantId);
  const settings = tenant?.settings.oauthConfiguration?.dynamicClientRegistration;
  const enabled = settings?.enabled ?? true;
  if (token === undefined) {
    if (tenant === undefined || !enabled || (settings?.requireInitialAccessToken ?? true)) {
      throw invalidToken('Registering a client needs an initial access token (RFC 7591 §3).', false);
    }
    return tenant.id;
  }
  if (tenant === undefined || !enabled) throw new OAuthError('access_denied', 'Dynamic client registration is turned off for this tenant.', 403);
  return tenant.id;
}

/**
 * Dynamic client registration: POST /oauth2/register (RFC 7591) and the client configuration endpoint
 * /oauth2/register/{clientId} (RFC 7592: GET, PUT, DELETE with the registration access token). In their
 * own context, for the rate limiter.
 */
export async function registrationEndpoints(app: FastifyInstance, deps: RegistrationEndpointDeps): Promise<void> {
  await app.register(fastifyRateLimit, { global: false });
  const perIp = app.createRateLimit({ max: registrationRateLimit.max, timeWindow: registrationRateLimit.timeWindowMillis, keyGenerator: (request) => `register-ip:${request.ip}` });

  app.post('/oauth2/register', async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await perIp(request);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.header('retry-after', String(limit.ttlInSeconds));
      throw new OAuthError('invalid_request', `Too many registration requests: retry in ${limit.ttlInSeconds} seconds.`, 429);
    }
    const tenantId = await registrationTenant(deps, request.headers.authorization);
    requireJson(request);
    const client = await registerClient(deps, { tenantId, body: request.body, baseUrl: request.baseUrl });
    return noStore(reply).code(201).send(client);
  });

  const clientParams = { schema: { params: { type: 'object', required: ['clientId'], properties: { clientId: { type: 'string', maxLength: 100 } } } } };
  app.get('/oauth2/register/:clientId', clientParams, async (request: ClientRequest, reply: FastifyReply) => {
    const application = await registeredClient(deps.store.repositories, request.params.clientId, request.headers.authorization);
    return noStore(reply).send(await readClient(deps, application, request.baseUrl));
  });
  app.put('/oauth2/register/:clientId', clientParams, async (request: ClientRequest, reply: FastifyReply) => {
    const application = await registeredClient(deps.store.repositories, request.params.clientId, request.headers.authorization);
    requireJson(request);
    return noStore(reply).send(await updateClient(deps, application, request.body, request.baseUrl));
  });
  app.delete('/oauth2/register/:clientId', clientParams, async (request: ClientRequest, reply: FastifyReply) => {
    const application = await registeredClient(deps.store.repositories, request.params.clientId, request.headers.authorization);
    await deleteClient(deps, application);
    return noStore(reply).code(204).send();
  });

  // Other methods: 405 with Allow (RFC 9110 §15.5.6), in the OAuth error shape.
  const refuse = (allow: string) => async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('allow', allow);
    throw new OAuthError('invalid_request', `This endpoint only accepts ${allow}.`, 405);
  };
  app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: '/oauth2/register', handler: refuse('POST') });
  app.route({ method: ['POST', 'PATCH'], url: '/oauth2/register/:clientId', ...clientParams, handler: refuse('GET, PUT, DELETE') });
}
