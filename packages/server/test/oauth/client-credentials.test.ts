import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Entity, FusionAuthClient, KeyAlgorithm } from '@fusionauth/typescript-client';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oauth from 'oauth4webapi';
import { backends } from '../helpers/test-stores.ts';
import { basicAuthorization, createOAuthApplication, createOAuthUser, mintGrantTokens, postToken, startOAuthServer, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { assertOAuthError } from '../helpers/token-endpoint.ts';

const insecure = { [oauth.allowInsecureRequests]: true };
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An entity as a client of the grant: its id, client id and secret. */
interface EntityClient {
  readonly id: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

for (const backend of backends) {
  describe(`client_credentials grant between entities on ${backend}`, () => {
    let server: OAuthServer;
    let client: FusionAuthClient;
    let as: oauth.AuthorizationServer;
    let clockOffset = 0;
    let apiTypeId: string;
    let emailApi: EntityClient;
    let todoApi: EntityClient;
    let smsApi: EntityClient;
    let billingApi: EntityClient;

    before(async () => {
      server = await startOAuthServer(backend, { now: () => Date.now() + clockOffset });
      client = server.client;
      const issuer = new URL(server.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));

      // Seed 003: an "API" entity type, the email API (target) and the todo API (recipient), granted read and write.
      apiTypeId = (
        await client.createEntityType('', {
          entityType: { name: 'API', permissions: [{ name: 'read' }, { name: 'write' }, { name: 'execute' }, { name: 'configure' }] },
        })
      ).response.entityType!.id!;
      emailApi = await newEntity({ name: 'Email API' }, 'e13365f1-a270-493e-bd1b-3d239d753d53');
      todoApi = await newEntity({ name: 'Todo API' }, '2934f41f-d277-4a32-b0d5-16e47dad9721');
      smsApi = await newEntity({ name: 'SMS API' });
      billingApi = await newEntity({ name: 'Billing API' });
      await client.upsertEntityGrant(emailApi.id, { grant: { recipientEntityId: todoApi.id, permissions: ['read', 'write'] } });
      await client.upsertEntityGrant(smsApi.id, { grant: { recipientEntityId: todoApi.id, permissions: ['read'] } });
    });
    after(async () => {
      await server.close();
    });

    async function newEntity(entity: Entity = {}, id = ''): Promise<EntityClient> {
      const created = (await client.createEntity(id, { entity: { name: `Entity ${randomUUID()}`, type: { id: apiTypeId }, tenantId: server.gatehouse.setup.defaultTenantId, ...entity } })).response.entity!;
      return { id: created.id!, clientId: created.clientId!, clientSecret: created.clientSecret! };
    }

    const metadata = (entity: EntityClient): oauth.Client => ({ client_id: entity.clientId });

    /** The grant as oauth4webapi performs it (client_secret_basic unless told), checked by processClientCredentialsResponse. */
    async function grant(entity: EntityClient, scope: string | undefined, auth = oauth.ClientSecretBasic(entity.clientSecret)) {
      const response = await oauth.clientCredentialsGrantRequest(as, metadata(entity), auth, scope === undefined ? {} : { scope }, insecure);
      const raw = (await response.clone().json()) as Record<string, unknown>;
      const result = await oauth.processClientCredentialsResponse(as, metadata(entity), response);
      return { raw, result, headers: response.headers };
    }

    async function verified(token: string) {
      const jwks = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
      return jwtVerify(token, createLocalJWKSet(jwks), { issuer: server.issuer, typ: 'JWT' });
    }

    async function introspect(entity: { clientId: string; clientSecret: string }, token: string): Promise<Answer> {
      const response = await fetch(`${server.baseUrl}/oauth2/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(entity.clientId, entity.clientSecret) },
        body: new URLSearchParams({ token }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    }

    const form = (entity: EntityClient, extra: Record<string, string> = {}) => ({ grant_type: 'client_credentials', client_id: entity.clientId, client_secret: entity.clientSecret, ...extra });

    it('runs the seed 003 example: the todo API gets a token for read on the email API', async () => {
      const scope = `target-entity:${emailApi.id}:read`;
      const { raw, result, headers } = await grant(todoApi, scope);
      assert.deepEqual(Object.keys(raw).sort(), ['access_token', 'expires_in', 'scope', 'token_type'], 'no refresh token, no userId');
      assert.equal(result.token_type, 'bearer');
      assert.equal(raw['token_type'], 'Bearer');
      assert.equal(result.expires_in, 3600, "the tenant's TTL: the API type has no JWT configuration");
      assert.equal(result.scope, scope);
      assert.equal(headers.get('cache-control'), 'no-store');

      const { payload, protectedHeader } = await verified(result.access_token);
      assert.deepEqual(protectedHeader, { typ: 'JWT', gty: ['client_credentials'], alg: 'ES256', kid: protectedHeader.kid });
      assert.match(payload.jti!, uuidPattern);
      assert.deepEqual(payload, {
        aud: emailApi.id,
        exp: payload.iat! + 3600,
        iat: payload.iat,
        iss: server.issuer,
        sub: todoApi.id,
        jti: payload.jti,
        scope,
        tid: server.gatehouse.setup.defaultTenantId,
        permissions: { [emailApi.id]: ['read'] },
      });
      assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 5);
    });

    it('grants every permission held when the scope names none, and exactly the named subset otherwise', async () => {
      const all = decodeJwt((await grant(todoApi, `target-entity:${emailApi.id}`)).result.access_token);
      assert.deepEqual(all['permissions'], { [emailApi.id]: ['read', 'write'] });
      assert.equal(all['aud'], emailApi.id);
      const write = decodeJwt((await grant(todoApi, `target-entity:${emailApi.id}:write`)).result.access_token);
      assert.deepEqual(write['permissions'], { [emailApi.id]: ['write'] });
      // Request order, each permission once; an upper-case id names the same entity.
      const both = decodeJwt((await grant(todoApi, `target-entity:${emailApi.id.toUpperCase()}:write,read,write`)).result.access_token);
      assert.deepEqual(both['permissions'], { [emailApi.id]: ['write', 'read'] });
      assert.equal(both['aud'], emailApi.id);
    });

    it('names several targets: aud becomes an array and permissions holds one member per target', async () => {
      const scope = `target-entity:${emailApi.id}:read,write target-entity:${smsApi.id}:read`;
      const { result } = await grant(todoApi, scope, oauth.ClientSecretPost(todoApi.clientSecret));
      assert.equal(result.scope, scope);
      const claims = decodeJwt(result.access_token);
      assert.deepEqual(claims.aud, [emailApi.id, smsApi.id]);
      assert.deepEqual(claims['permissions'], { [emailApi.id]: ['read', 'write'], [smsApi.id]: ['read'] });
      assert.equal(claims['scope'], scope);
      // The same target twice is merged; asking for everything once means everything.
      const merged = decodeJwt((await grant(todoApi, `target-entity:${emailApi.id}:read target-entity:${smsApi.id} target-entity:${emailApi.id}:write`)).result.access_token);
      assert.deepEqual(merged.aud, [emailApi.id, smsApi.id]);
      assert.deepEqual(merged['permissions'], { [emailApi.id]: ['read', 'write'], [smsApi.id]: ['read'] });
      const everything = decodeJwt((await grant(todoApi, `target-entity:${emailApi.id}:read target-entity:${emailApi.id}`)).result.access_token);
      assert.deepEqual(everything['permissions'], { [emailApi.id]: ['read', 'write'] });
    });

    it('issues a token without aud, permissions and scope when no scope is sent', async () => {
      const { raw, result } = await grant(todoApi, undefined);
      assert.deepEqual(Object.keys(raw).sort(), ['access_token', 'expires_in', 'token_type']);
      const { payload } = await verified(result.access_token);
      assert.deepEqual(Object.keys(payload).sort(), ['exp', 'iat', 'iss', 'jti', 'sub', 'tid']);
      assert.equal(payload.sub, todoApi.id);
      // An entity without any grant may still authenticate this way.
      const lonely = decodeJwt((await grant(billingApi, undefined)).result.access_token);
      assert.equal(lonely.sub, billingApi.id);
    });

    it("takes the FusionAuth client's clientCredentialsGrant", async () => {
      const scope = `target-entity:${emailApi.id}:write`;
      const response = await client.clientCredentialsGrant(todoApi.clientId, todoApi.clientSecret, scope);
      assert.equal(response.statusCode, 200);
      assert.equal(response.response.scope, scope);
      assert.equal(response.response.token_type, 'Bearer');
      assert.equal(response.response.userId, undefined);
      assert.deepEqual(decodeJwt(response.response.access_token!)['permissions'], { [emailApi.id]: ['write'] });
    });

    it("takes TTL and signing key from the entity type's jwtConfiguration when enabled, else the tenant's", async () => {
      const key = (await client.generateKey('', { key: { algorithm: 'RS256' as KeyAlgorithm, name: `Worker key ${randomUUID()}` } })).response.key!;
      const workerType = (
        await client.createEntityType('', { entityType: { name: `Worker ${randomUUID()}`, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 600, accessTokenKeyId: key.id! } } })
      ).response.entityType!;
      const created = (await client.createEntity('', { entity: { name: 'Worker', type: { id: workerType.id! }, tenantId: server.gatehouse.setup.defaultTenantId } })).response.entity!;
      const worker = { id: created.id!, clientId: created.clientId!, clientSecret: created.clientSecret! };
      await client.upsertEntityGrant(emailApi.id, { grant: { recipientEntityId: worker.id, permissions: ['execute'] } });
      const { result } = await grant(worker, `target-entity:${emailApi.id}:execute`);
      assert.equal(result.expires_in, 600);
      const { payload, protectedHeader } = await verified(result.access_token);
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(protectedHeader.kid, key.kid);
      assert.equal(payload.exp! - payload.iat!, 600);
      assert.deepEqual(payload['permissions'], { [emailApi.id]: ['execute'] });

      // Disabled, the type's settings are ignored: the tenant's TTL and default key.
      await client.patchEntityType(workerType.id!, { entityType: { jwtConfiguration: { enabled: false } } });
      const fallback = await grant(worker, undefined);
      assert.equal(fallback.result.expires_in, 3600);
      assert.equal(decodeProtectedHeader(fallback.result.access_token).alg, 'ES256');
    });

    it("signs with the tenant's issuer, for the entities of that tenant only", async () => {
      const tenant = (await client.createTenant('', { tenant: { name: `Machines ${randomUUID()}`, issuer: 'https://machines.example.com' } })).response.tenant!;
      const inTenant = async (name: string) => {
        const created = (await client.createEntity('', { entity: { name, type: { id: apiTypeId }, tenantId: tenant.id! } })).response.entity!;
        return { id: created.id!, clientId: created.clientId!, clientSecret: created.clientSecret! };
      };
      const queue = await inTenant('Queue');
      const worker = await inTenant('Worker');
      await client.upsertEntityGrant(queue.id, { grant: { recipientEntityId: worker.id, permissions: ['read'] } });
      const answer = await postToken(server, form(worker, { scope: `target-entity:${queue.id}` }));
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const claims = decodeJwt(answer.json['access_token'] as string);
      assert.equal(claims.iss, 'https://machines.example.com');
      assert.equal(claims['tid'], tenant.id);
      assert.deepEqual(claims['permissions'], { [queue.id]: ['read'] });
      // The todo API may not reach into that tenant, nor its worker into the default one.
      assertOAuthError(await postToken(server, form(todoApi, { scope: `target-entity:${queue.id}` })), 400, 'invalid_scope', 'invalid_target_entity_scope');
      assertOAuthError(await postToken(server, form(worker, { scope: `target-entity:${emailApi.id}` })), 400, 'invalid_scope', 'invalid_target_entity_scope');
    });

    it('refuses permissions that were not granted with invalid_entity_permission_scope', async () => {
      for (const scope of [
        `target-entity:${emailApi.id}:execute`,
        `target-entity:${emailApi.id}:read,execute`,
        `target-entity:${emailApi.id}:no-such-permission`,
        `target-entity:${emailApi.id}:READ`,
        `target-entity:${emailApi.id}:read target-entity:${smsApi.id}:write`,
      ]) {
        assertOAuthError(await postToken(server, form(todoApi, { scope })), 400, 'invalid_scope', 'invalid_entity_permission_scope');
      }
    });

    it('refuses unknown, ungranted and malformed targets alike with invalid_target_entity_scope', async () => {
      for (const scope of [
        `target-entity:${randomUUID()}`,
        `target-entity:${billingApi.id}`,
        `target-entity:${billingApi.id}:read`,
        `target-entity:${todoApi.id}`,
        `target-entity:${emailApi.id}:read target-entity:${randomUUID()}:read`,
        'target-entity:not-a-uuid',
        `target-entity:${emailApi.id}:`,
        `target-entity:${emailApi.id}:read,`,
        `target-entity:${emailApi.id}:read,,write`,
        `target-entity:${emailApi.id}:read openid`,
        'openid',
        `entity:${emailApi.id}`,
        Array.from({ length: 101 }, () => `target-entity:${randomUUID()}`).join(' '),
      ]) {
        assertOAuthError(await postToken(server, form(todoApi, { scope })), 400, 'invalid_scope', 'invalid_target_entity_scope');
      }
      assertOAuthError(await postToken(server, form(todoApi, { scope: 'target-entity:\u00e9' })), 400, 'invalid_scope');
    });

    it('answers a wrong secret, an unknown client and an application alike: 401 invalid_client', async () => {
      const scope = `target-entity:${emailApi.id}:read`;
      const wrongBasic = await postToken(server, { grant_type: 'client_credentials', scope }, { authorization: basicAuthorization(todoApi.clientId, 'wrong') });
      assertOAuthError(wrongBasic, 401, 'invalid_client', 'invalid_client_authentication');
      assert.match(wrongBasic.headers.get('www-authenticate') ?? '', /^Basic realm="gatehouse"/);
      const unknownBasic = await postToken(server, { grant_type: 'client_credentials', scope }, { authorization: basicAuthorization(randomUUID(), 'wrong') });
      assert.deepEqual([unknownBasic.status, unknownBasic.json, unknownBasic.headers.get('www-authenticate')], [401, wrongBasic.json, wrongBasic.headers.get('www-authenticate')]);

      const wrongPost = await postToken(server, form({ ...todoApi, clientSecret: 'wrong' }, { scope }));
      assertOAuthError(wrongPost, 401, 'invalid_client', 'invalid_client_authentication');
      assert.match(wrongPost.headers.get('www-authenticate') ?? '', /^Basic realm="gatehouse"/, 'RFC 7235 §3.1: every 401 carries a challenge');
      const unknownPost = await postToken(server, form({ id: '', clientId: 'no-such-client', clientSecret: 'wrong' }, { scope }));
      assert.deepEqual([unknownPost.status, unknownPost.json], [401, wrongPost.json]);

      // An application is not a client of this grant, even with its own secret.
      const app = await createOAuthApplication(server);
      const asApplication = await postToken(server, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope });
      assert.deepEqual([asApplication.status, asApplication.json], [401, wrongPost.json]);

      // Authentication comes first: a bad scope from a bad client is still invalid_client.
      assertOAuthError(await postToken(server, form({ ...todoApi, clientSecret: 'wrong' }, { scope: 'openid' })), 401, 'invalid_client');
      // No secret at all: refused before any lookup.
      const noSecret = await postToken(server, { grant_type: 'client_credentials', client_id: todoApi.clientId, scope });
      assertOAuthError(noSecret, 401, 'invalid_client', 'client_authentication_missing');
      assertOAuthError(await postToken(server, { grant_type: 'client_credentials', scope }), 401, 'invalid_client', 'missing_client_id');
    });

    it('refuses duplicate parameters and two client authentication methods with invalid_request', async () => {
      const base = `grant_type=client_credentials&client_id=${encodeURIComponent(todoApi.clientId)}&client_secret=${encodeURIComponent(todoApi.clientSecret)}`;
      assertOAuthError(await postToken(server, `${base}&scope=target-entity:${emailApi.id}&scope=target-entity:${smsApi.id}`), 400, 'invalid_request', 'duplicate_parameter');
      assertOAuthError(await postToken(server, `${base}&grant_type=client_credentials`), 400, 'invalid_request', 'duplicate_parameter');
      assertOAuthError(await postToken(server, `${base}&client_secret=${encodeURIComponent(todoApi.clientSecret)}`), 400, 'invalid_request', 'duplicate_parameter');
      const both = await postToken(server, form(todoApi), { authorization: basicAuthorization(todoApi.clientId, todoApi.clientSecret) });
      assertOAuthError(both, 400, 'invalid_request');
      const mismatch = await postToken(server, { grant_type: 'client_credentials', client_id: emailApi.clientId }, { authorization: basicAuthorization(todoApi.clientId, todoApi.clientSecret) });
      assertOAuthError(mismatch, 400, 'invalid_request', 'client_id_mismatch');
    });

    it('introspects the token for the entity itself and for its targets, as RFC 7662 and FusionAuth 1.46 describe it', async () => {
      const scope = `target-entity:${emailApi.id}:read target-entity:${smsApi.id}:read`;
      const token = (await grant(todoApi, scope)).result.access_token;
      const claims = decodeJwt(token);
      // Through oauth4webapi, as the recipient entity.
      const response = await oauth.introspectionRequest(as, metadata(todoApi), oauth.ClientSecretBasic(todoApi.clientSecret), token, insecure);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const result: Record<string, unknown> = await oauth.processIntrospectionResponse(as, metadata(todoApi), response);
      assert.deepEqual({ ...result }, { active: true, ...claims, client_id: todoApi.clientId, token_type: 'Bearer' });
      assert.deepEqual(result['permissions'], { [emailApi.id]: ['read'], [smsApi.id]: ['read'] });
      // Each target entity (the resource servers) may introspect it too, with client_secret_post as well.
      assert.deepEqual((await introspect(emailApi, token)).json, { active: true, ...claims, client_id: todoApi.clientId, token_type: 'Bearer' });
      const viaPost = await oauth.processIntrospectionResponse(as, metadata(smsApi), await oauth.introspectionRequest(as, metadata(smsApi), oauth.ClientSecretPost(smsApi.clientSecret), token, insecure));
      assert.equal(viaPost.active, true);
      // A token without scope: only its own entity.
      const bare = (await grant(todoApi, undefined)).result.access_token;
      assert.equal((await introspect(todoApi, bare)).json['active'], true);
      assert.deepEqual((await introspect(emailApi, bare)).json, { active: false });
    });

    it('answers {"active":false} to other entities, applications, user tokens and forged tokens; 401 without credentials', async () => {
      const token = (await grant(todoApi, `target-entity:${emailApi.id}:read`)).result.access_token;
      assert.deepEqual((await introspect(billingApi, token)).json, { active: false });
      const app = await createOAuthApplication(server);
      const asApplication = await introspect(app, token);
      assert.equal(asApplication.status, 200);
      assert.deepEqual(asApplication.json, { active: false });
      // A user's access token is not an entity's to introspect, and a client credentials token is no user token.
      const user = await createOAuthUser(server, app.application);
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      assert.deepEqual((await introspect(todoApi, minted.accessToken)).json, { active: false });
      assert.equal((await introspect(app, minted.accessToken)).json['active'], true);
      const userinfo = await fetch(`${server.baseUrl}/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(userinfo.status, 401);
      // Tampered claims, and an opaque value.
      const [header, , signature] = token.split('.');
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), permissions: { [emailApi.id]: ['read', 'write', 'execute'] } })).toString('base64url')}.${signature}`;
      assert.deepEqual((await introspect(todoApi, tampered)).json, { active: false });
      assert.deepEqual((await introspect(todoApi, 'A'.repeat(43))).json, { active: false });
      // RFC 7662 §2.1: the caller must authenticate (FusionAuth takes a client credentials token alone).
      const anonymous = await client.introspectClientCredentialsAccessToken(token).catch((failure: { statusCode: number; exception: Record<string, unknown> }) => failure);
      assert.equal(anonymous.statusCode, 401);
      assert.equal((anonymous as { exception: Record<string, unknown> }).exception['error'], 'invalid_client');
      const wrong = await introspect({ ...todoApi, clientSecret: 'wrong' }, token);
      assertOAuthError(wrong, 401, 'invalid_client');
      const noSecret = await fetch(`${server.baseUrl}/oauth2/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: todoApi.clientId, token }),
      });
      assert.equal(noSecret.status, 401);
    });

    it('turns inactive once expired (the clock moves past exp) or once the entity is deleted', async () => {
      const token = (await grant(todoApi, `target-entity:${emailApi.id}:read`)).result.access_token;
      const { exp } = decodeJwt(token);
      try {
        clockOffset = exp! * 1000 - Date.now() - 1000;
        assert.equal((await introspect(todoApi, token)).json['active'], true, 'one second before exp');
        clockOffset = exp! * 1000 - Date.now();
        assert.deepEqual((await introspect(todoApi, token)).json, { active: false });
        assert.deepEqual((await introspect(emailApi, token)).json, { active: false });
      } finally {
        clockOffset = 0;
      }

      const doomed = await newEntity({ name: 'Doomed' });
      await client.upsertEntityGrant(emailApi.id, { grant: { recipientEntityId: doomed.id, permissions: ['read'] } });
      const doomedToken = (await grant(doomed, `target-entity:${emailApi.id}`)).result.access_token;
      assert.equal((await introspect(emailApi, doomedToken)).json['active'], true);
      await client.deleteEntity(doomed.id);
      assert.deepEqual((await introspect(emailApi, doomedToken)).json, { active: false });
      // And the deleted entity can no longer authenticate.
      assertOAuthError(await postToken(server, form(doomed)), 401, 'invalid_client');
    });

    it('answers at once when a grant or a permission is taken away', async () => {
      const reader = await newEntity({ name: 'Reader' });
      await client.upsertEntityGrant(emailApi.id, { grant: { recipientEntityId: reader.id, permissions: ['read', 'write'] } });
      assert.equal((await postToken(server, form(reader, { scope: `target-entity:${emailApi.id}:write` }))).status, 200);
      await client.upsertEntityGrant(emailApi.id, { grant: { recipientEntityId: reader.id, permissions: ['read'] } });
      assertOAuthError(await postToken(server, form(reader, { scope: `target-entity:${emailApi.id}:write` })), 400, 'invalid_scope', 'invalid_entity_permission_scope');
      await client.deleteEntityGrant(emailApi.id, reader.id, undefined as never);
      assertOAuthError(await postToken(server, form(reader, { scope: `target-entity:${emailApi.id}` })), 400, 'invalid_scope', 'invalid_target_entity_scope');
      // A rotated secret: the old one is refused.
      await client.patchEntity(reader.id, { entity: { clientSecret: 'a-new-secret-for-the-reader-entity' } });
      assertOAuthError(await postToken(server, form(reader)), 401, 'invalid_client');
      assert.equal((await postToken(server, form({ ...reader, clientSecret: 'a-new-secret-for-the-reader-entity' }))).status, 200);
    });

    it('sees a change made by another node (straight in the store) once the settings cache lifetime (5 s) is over', async () => {
      const reader = await newEntity({ name: 'Cached reader' });
      await client.upsertEntityGrant(emailApi.id, { grant: { recipientEntityId: reader.id, permissions: ['read'] } });
      const scope = `target-entity:${emailApi.id}:read`;
      assert.equal((await postToken(server, form(reader, { scope }))).status, 200);
      // Another node deletes the grant and the entity: nothing tells this node's cache.
      await server.gatehouse.store.repositories.entityGrants.delete(emailApi.id, { recipientEntityId: reader.id });
      assert.equal((await postToken(server, form(reader, { scope }))).status, 200, 'within 5 s, the cached grant still answers');
      try {
        clockOffset = 5_001;
        assertOAuthError(await postToken(server, form(reader, { scope })), 400, 'invalid_scope', 'invalid_target_entity_scope');
        await server.gatehouse.store.repositories.entities.delete(reader.id);
        assert.equal((await postToken(server, form(reader))).status, 200, 'the entity is still cached');
        clockOffset = 10_002;
        assertOAuthError(await postToken(server, form(reader)), 401, 'invalid_client');
      } finally {
        clockOffset = 0;
      }
    });
  });
}
