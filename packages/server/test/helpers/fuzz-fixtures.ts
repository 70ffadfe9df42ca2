import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { hashRefreshToken } from '../../src/oauth/tokens/refresh-token-value.ts';
import type { TestApp } from './test-app.ts';

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One write operation as the app's own OpenAPI document lists it: `/api/tenant/{tenantId}`, params `['tenantId']`. */
export interface WriteRoute {
  readonly method: WriteMethod;
  readonly path: string;
  readonly params: readonly string[];
}

/** Every POST/PUT/PATCH/DELETE under /api, read from GET /api/openapi.json (served without an API key). */
export async function discoverWriteRoutes(gatehouse: TestApp): Promise<WriteRoute[]> {
  const response = await gatehouse.app.inject({ method: 'GET', url: '/api/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`GET /api/openapi.json → ${response.statusCode}`);
  const { paths } = response.json() as { paths: Record<string, Record<string, unknown>> };
  const routes: WriteRoute[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of Object.keys(operations)) {
      const upper = method.toUpperCase();
      if (upper !== 'POST' && upper !== 'PUT' && upper !== 'PATCH' && upper !== 'DELETE') continue;
      routes.push({ method: upper, path, params: [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!) });
    }
  }
  return routes;
}

/** The tables whose content a refused request must leave alone. */
const tables = ['tenants', 'applications', 'application_roles', 'application_scopes', 'users', 'registrations', 'api_keys', 'signing_keys', 'refresh_tokens', 'user_actions', 'user_action_logs', 'one_time_ids', 'entity_types', 'entity_type_permissions', 'entities', 'entity_grants', 'identity_providers', 'identity_provider_links', 'pending_identity_provider_links', 'webhooks'] as const;

/** A cheap fingerprint of the stored state: per table, its row count and an md5 over every row. */
export async function storeFingerprint(gatehouse: TestApp): Promise<Record<string, string>> {
  const columns = tables.map(
    (table) => sql`(select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by t.id)), '') from ${sql.table(table)} t) as ${sql.ref(table)}`,
  );
  const { rows } = await sql<Record<string, string>>`select ${sql.join(columns)}`.execute(gatehouse.store.db);
  return rows[0]!;
}

/**
 * One of each resource the write routes name in their path, so a path parameter can be an id that
 * exists: a tenant, an application with a role, a user registered to it with a live refresh token, a
 * Key Master key and an API key. Random requests may delete or change them; `ensure()` puts them back.
 */
export interface Fixtures {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly roleId: string;
  readonly roleName: string;
  readonly scopeId: string;
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  readonly signingKeyId: string;
  readonly apiKeyId: string;
  /** A temporal user action that does not prevent login, and an active action of it taken on the user. */
  readonly userActionId: string;
  actionId: string;
  /** An instantaneous user action, which can be taken any number of times. */
  readonly rewardActionId: string;
  /** An entity type with one permission (`fixture.read`), and two entities of it in the fixture tenant. */
  readonly entityTypeId: string;
  readonly permissionId: string;
  readonly entityId: string;
  readonly recipientEntityId: string;
  /** An OpenID Connect identity provider. */
  readonly identityProviderId: string;
  /** A webhook (global, no events enabled: it never receives anything). */
  readonly webhookId: string;
  /** Undefined while no login could issue one (the random requests broke the fixture user beyond repair). */
  refreshToken: string | undefined;
  refreshTokenId: string | undefined;
  /** Re-creates whatever fixture a random request deleted; one query when nothing is missing. */
  ensure(): Promise<void>;
}

const loginConfiguration = { generateRefreshTokens: true, allowTokenRefresh: true, requireAuthentication: true };

export async function createFixtures(gatehouse: TestApp): Promise<Fixtures> {
  const call = async (method: WriteMethod, url: string, body?: unknown) => {
    const response = await gatehouse.app.inject({
      method,
      url,
      headers: { authorization: gatehouse.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: response.body.length > 0 ? (response.json() as Record<string, unknown>) : {} };
  };
  const must = async (method: WriteMethod, url: string, body?: unknown) => {
    const response = await call(method, url, body);
    if (response.status !== 200) throw new Error(`fixture ${method} ${url} → ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const fixtures: Fixtures = {
    tenantId: randomUUID(),
    applicationId: randomUUID(),
    roleId: randomUUID(),
    roleName: 'admin',
    scopeId: randomUUID(),
    userId: randomUUID(),
    email: `fixture-${randomUUID()}@example.com`,
    password: 'correct horse battery',
    signingKeyId: randomUUID(),
    apiKeyId: randomUUID(),
    userActionId: randomUUID(),
    actionId: randomUUID(),
    rewardActionId: randomUUID(),
    entityTypeId: randomUUID(),
    permissionId: randomUUID(),
    entityId: randomUUID(),
    recipientEntityId: randomUUID(),
    identityProviderId: randomUUID(),
    webhookId: randomUUID(),
    refreshToken: undefined,
    refreshTokenId: undefined,
    async ensure() {
      const f = fixtures;
      const hash = f.refreshToken === undefined ? Buffer.alloc(0) : hashRefreshToken(f.refreshToken);
      const { rows } = await sql<Record<string, boolean>>`select
        exists(select 1 from tenants where id = ${f.tenantId}) as tenant,
        exists(select 1 from applications where id = ${f.applicationId}) as application,
        exists(select 1 from application_roles where id = ${f.roleId}) as role,
        exists(select 1 from application_scopes where id = ${f.scopeId}) as scope,
        exists(select 1 from users where id = ${f.userId}) as "user",
        exists(select 1 from registrations where user_id = ${f.userId} and application_id = ${f.applicationId}) as registration,
        exists(select 1 from signing_keys where id = ${f.signingKeyId}) as key,
        exists(select 1 from api_keys where id = ${f.apiKeyId}) as api_key,
        exists(select 1 from user_actions where id = ${f.userActionId} and active and temporal and not prevent_login) as user_action,
        exists(select 1 from user_action_logs where id = ${f.actionId} and expiry > ${Date.now()}) as action,
        exists(select 1 from user_actions where id = ${f.rewardActionId} and active and not temporal) as reward_action,
        exists(select 1 from entity_types where id = ${f.entityTypeId}) as entity_type,
        exists(select 1 from entity_type_permissions where id = ${f.permissionId} and entity_type_id = ${f.entityTypeId}) as permission,
        exists(select 1 from entities where id = ${f.entityId} and tenant_id = ${f.tenantId}) as entity,
        exists(select 1 from entities where id = ${f.recipientEntityId} and tenant_id = ${f.tenantId}) as recipient_entity,
        exists(select 1 from identity_providers where id = ${f.identityProviderId}) as identity_provider,
        exists(select 1 from webhooks where id = ${f.webhookId}) as webhook,
        exists(select 1 from refresh_tokens where id = ${f.refreshTokenId ?? f.userId} and token_hash = ${hash})
          and exists(select 1 from users where id = ${f.userId} and active)
          and exists(select 1 from applications where id = ${f.applicationId} and active) as refresh_token`.execute(gatehouse.store.db);
      const present = rows[0]!;
      if (Object.values(present).every(Boolean)) return;

      if (!present['tenant']) await must('POST', `/api/tenant/${f.tenantId}`, { tenant: { name: `Fixture ${f.tenantId}` } });
      if (!present['application']) {
        await must('POST', `/api/application/${f.applicationId}`, { application: { name: 'Fixture application', tenantId: f.tenantId, loginConfiguration } });
      }
      if (!present['role']) {
        // A random request may have taken the name for another role: free it first.
        await call('DELETE', `/api/application/${f.applicationId}/role?name=${f.roleName}`);
        await must('POST', `/api/application/${f.applicationId}/role/${f.roleId}`, { role: { name: f.roleName } });
      }
      if (!present['scope']) {
        // Like the role: a random request may have taken the name.
        await sql`delete from application_scopes where application_id = ${f.applicationId} and name = 'fixture.read'`.execute(gatehouse.store.db);
        await must('POST', `/api/application/${f.applicationId}/scope/${f.scopeId}`, { scope: { name: 'fixture.read' } });
      }
      if (!present['user']) {
        await call('DELETE', `/api/user/${(await userIdByEmail(f.email)) ?? randomUUID()}?hardDelete=true`);
        await must('POST', `/api/user/${f.userId}`, { user: { email: f.email, password: f.password, tenantId: f.tenantId } });
      }
      if (!present['registration']) await must('POST', `/api/user/registration/${f.userId}`, { registration: { applicationId: f.applicationId, roles: [f.roleName] } });
      if (!present['key']) await must('POST', `/api/key/generate/${f.signingKeyId}`, { key: { algorithm: 'ES256', name: 'Fixture key' } });
      if (!present['api_key']) await must('POST', `/api/api-key/${f.apiKeyId}`, { apiKey: { metaData: { attributes: { description: 'Fixture' } } } });
      if (!present['user_action']) {
        // Changed into something else (or gone): start again, which also removes the actions taken with it.
        await call('DELETE', `/api/user-action/${f.userActionId}?hardDelete=true`);
        await must('POST', `/api/user-action/${f.userActionId}`, { userAction: { name: `Fixture action ${f.userActionId}`, temporal: true, userNotificationsEnabled: true } });
      }
      if (!present['user_action'] || !present['action']) {
        // One active action per user and action: adopt one a random request took, else take it.
        const active = await sql<{ id: string }>`select id from user_action_logs where actionee_user_id = ${f.userId} and user_action_id = ${f.userActionId} and expiry > ${Date.now()}`.execute(gatehouse.store.db);
        const taken = active.rows[0]?.id;
        f.actionId =
          taken ??
          ((await must('POST', '/api/user/action', { action: { actioneeUserId: f.userId, actionerUserId: f.userId, userActionId: f.userActionId, expiry: Date.now() + 86_400_000 } }))['action'] as { id: string }).id;
      }
      if (!present['reward_action']) {
        await call('DELETE', `/api/user-action/${f.rewardActionId}?hardDelete=true`);
        await must('POST', `/api/user-action/${f.rewardActionId}`, { userAction: { name: `Fixture reward ${f.rewardActionId}` } });
      }
      if (!present['entity_type']) await must('POST', `/api/entity/type/${f.entityTypeId}`, { entityType: { name: `Fixture type ${f.entityTypeId}` } });
      if (!present['permission']) {
        // A random request may have taken the name for another permission: free it first.
        await call('DELETE', `/api/entity/type/${f.entityTypeId}/permission?name=fixture.read`);
        await must('POST', `/api/entity/type/${f.entityTypeId}/permission/${f.permissionId}`, { permission: { name: 'fixture.read', isDefault: true } });
      }
      const entity = (id: string) => must('POST', `/api/entity/${id}`, { entity: { name: `Fixture entity ${id}`, type: { id: f.entityTypeId }, tenantId: f.tenantId } });
      if (!present['entity']) await entity(f.entityId);
      if (!present['recipient_entity']) await entity(f.recipientEntityId);
      if (!present['identity_provider']) {
        const oauth2 = { client_id: 'fixture', client_secret: 'fixture secret', issuer: 'https://idp.example.com' };
        await must('POST', `/api/identity-provider/${f.identityProviderId}`, { identityProvider: { type: 'OpenIDConnect', name: `Fixture IdP ${f.identityProviderId}`, buttonText: 'Fixture', oauth2 } });
      }
      if (!present['webhook']) await must('POST', `/api/webhook/${f.webhookId}`, { webhook: { url: 'https://receiver.example.com/hook', global: true } });
      if (!present['refresh_token']) {
        // A live refresh token of an active user and application. Best effort: undo what random requests may have done to the user, the application and the tenant.
        await call('PUT', `/api/user/${f.userId}?reactivate=true`);
        await call('PATCH', `/api/user/${f.userId}`, { user: { email: f.email, password: f.password, passwordChangeRequired: false, expiry: null } });
        await call('PUT', `/api/application/${f.applicationId}?reactivate=true`);
        await call('PATCH', `/api/application/${f.applicationId}`, { application: { loginConfiguration } });
        await sql`delete from login_failures where user_id = ${f.userId}`.execute(gatehouse.store.db);
        const login = await call('POST', '/api/login', { loginId: f.email, password: f.password, applicationId: f.applicationId });
        f.refreshToken = login.body['refreshToken'] as string | undefined;
        f.refreshTokenId = login.body['refreshTokenId'] as string | undefined;
      }
    },
  };
  const userIdByEmail = async (email: string) =>
    (await sql<{ id: string }>`select id from users where email = ${email} and tenant_id = ${fixtures.tenantId}`.execute(gatehouse.store.db)).rows[0]?.id;

  await fixtures.ensure();
  if (fixtures.refreshToken === undefined) throw new Error('the fixture login issued no refresh token');
  return fixtures;
}

/** The fixture a path parameter names; a route with a parameter this does not know fails the test. */
export function existingId(fixtures: Fixtures, route: WriteRoute, param: string): string {
  switch (param) {
    case 'tenantId':
      return fixtures.tenantId;
    case 'applicationId':
      return fixtures.applicationId;
    case 'roleId':
      return fixtures.roleId;
    case 'scopeId':
      return fixtures.scopeId;
    case 'userId':
      return fixtures.userId;
    case 'tokenId':
      return fixtures.refreshTokenId ?? randomUUID();
    case 'userActionId':
      return fixtures.userActionId;
    case 'entityTypeId':
      return fixtures.entityTypeId;
    case 'permissionId':
      return fixtures.permissionId;
    case 'entityId':
      return fixtures.entityId;
    case 'identityProviderId':
      return fixtures.identityProviderId;
    case 'webhookId':
      return fixtures.webhookId;
    case 'actionId':
      return fixtures.actionId;
    case 'keyId':
      return route.path.startsWith('/api/api-key') ? fixtures.apiKeyId : fixtures.signingKeyId;
    case 'changePasswordId':
    case 'verificationId':
      // One-time ids are never fixtures: a valid one is used up by the first request.
      return randomUUID();
    default:
      throw new Error(`${route.method} ${route.path}: no fixture for the path parameter {${param}}`);
  }
}
