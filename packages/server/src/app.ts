import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import packageJson from '../package.json' with { type: 'json' };
import { registerRetrievePublicKey } from './api/jwt/retrieve-public-key.ts';
import { registerGetOpenApi } from './api/openapi/get-openapi.ts';
import { registerGetStatus } from './api/status/get-status.ts';
import { managementApi } from './api/management-api.ts';
import type { Config } from './config/options.ts';
import { createAppEvents, type AppEvents } from './events/app-events.ts';
import { createWebhookDispatcher } from './events/webhook-dispatcher.ts';
import { createUpstreams } from './federation/upstreams.ts';
import { createKeepAliveJob } from './vault/keep-alive-job.ts';
import { createLinkAccessTokens } from './vault/link-access-tokens.ts';
import { registerBaseUrl } from './http/base-url.ts';
import { registerContentTypes } from './http/content-types.ts';
import { registerDrainOnClose } from './http/drain-on-close.ts';
import { registerErrorHandling } from './http/error-handler.ts';
import { registerOpenApiCollector } from './http/openapi.ts';
import { RequestLog } from './http/request-log.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import type { KeyRing } from './keys/key-ring.ts';
import type { SigningKeys } from './keys/signing-keys.ts';
import { registerJwks } from './oauth/endpoints/jwks.ts';
import { oauthRoutes } from './oauth/oauth-routes.ts';
import type { Store } from './store/store.ts';
import { createSettingsCache } from './tenancy/settings-cache.ts';
import { createHostedPages } from './ui/hosted-pages.ts';
import { registerUiAssets } from './ui/stylesheet.ts';

/** Where the resources the settings cache holds are written (see tenancy/settings-cache.ts). */
const cachedSettingsPaths = ['/api/application', '/api/tenant', '/api/entity', '/oauth2/register'];

export interface AppDeps {
  readonly config: Pick<Config, 'bodyLimit' | 'trustProxy'> & {
    readonly publicUrl?: string | undefined;
    readonly allowPrivateNetwork?: boolean | undefined;
    readonly vaultRefreshMarginSeconds?: number | undefined;
    readonly vaultKeepAliveIntervalSeconds?: number | undefined;
    readonly vaultExpiryWarningSeconds?: number | undefined;
    /** false: this node does not deliver webhooks (tests that drive the dispatcher themselves). */
    readonly webhookDispatch?: boolean | undefined;
  };
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Where events are emitted (with their outbox); tests pass their own to observe them. */
  readonly events?: AppEvents;
}

/**
 * The only place that knows every module. Registration order is the order requests meet things:
 * plumbing first, then the route families, each with its own authentication.
 * Returns the app booted but not yet `ready()`, so a caller (tests) may still add routes.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const appEvents = deps.events ?? createAppEvents({ store: deps.store, logger: deps.logger, now });
  const events = appEvents.bus;
  const upstreams = createUpstreams({ allowPrivateNetwork: deps.config.allowPrivateNetwork === true, now });
  const linkTokens = createLinkAccessTokens({ store: deps.store, keyRing: deps.keyRing, upstreams, events, now, refreshMarginMs: (deps.config.vaultRefreshMarginSeconds ?? 60) * 1000 });
  const keepAlive = createKeepAliveJob({ store: deps.store, linkTokens, events, logger: deps.logger, now, expiryWarningMs: (deps.config.vaultExpiryWarningSeconds ?? 604_800) * 1000 });
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new RequestLog(),
    bodyLimit: deps.config.bodyLimit,
    trustProxy: deps.config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // FusionAuth clients build `/api/tenant/` when handed an empty id: that means "no id", not a bad one.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;

  // First, so it sees every route registered after it.
  const openApi = registerOpenApiCollector(app, { title: 'Gatehouse', version: packageJson.version, apiKeyPrefix: '/api' });
  registerErrorHandling(app);
  registerBaseUrl(app, deps.config.publicUrl);
  registerDrainOnClose(app);
  registerSecurityHeaders(app);
  await registerContentTypes(app);

  registerGetStatus(app, { store: deps.store });
  registerJwks(app, { signingKeys: deps.signingKeys });
  registerRetrievePublicKey(app, { store: deps.store, signingKeys: deps.signingKeys });
  registerGetOpenApi(app, { openApi });
  registerUiAssets(app);
  const settings = createSettingsCache({ repositories: deps.store.repositories, now });
  // A change made through this node shows at once: a successful write to the resources it caches
  // (applications with their roles and scopes, tenants, entities and grants) drops it.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
    if (cachedSettingsPaths.some((path) => request.url.startsWith(path))) settings.clear();
    if (request.url.startsWith('/api/webhook')) appEvents.webhooks.clear();
  });
  // Webhook delivery (events/webhook-dispatcher.ts), on every node unless turned off.
  if (deps.config.webhookDispatch !== false) {
    const dispatcher = createWebhookDispatcher({ store: deps.store, keyRing: deps.keyRing, signingKeys: deps.signingKeys, logger: deps.logger, now });
    app.addHook('onReady', async () => dispatcher.start(events));
    app.addHook('onClose', async () => dispatcher.stop());
  }
  // The hub's keep-alive job, when configured: started once the app is ready, stopped (its run finished) on close.
  const keepAliveInterval = deps.config.vaultKeepAliveIntervalSeconds ?? 0;
  if (keepAliveInterval > 0) {
    app.addHook('onReady', async () => keepAlive.start(keepAliveInterval * 1000));
    app.addHook('onClose', async () => keepAlive.stop());
  }
  await app.register(oauthRoutes, { store: deps.store, keyRing: deps.keyRing, signingKeys: deps.signingKeys, settings, now, pages: createHostedPages(), events, upstreams, linkTokens });
  await app.register(managementApi, { prefix: '/api', store: deps.store, keyRing: deps.keyRing, signingKeys: deps.signingKeys, settings, now, events, upstreams, linkTokens });

  return app;
}
