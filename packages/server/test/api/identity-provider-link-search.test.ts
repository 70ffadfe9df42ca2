/**
 * GET /api/identity-provider/link/search (Gatehouse extension): links across users by provider, status,
 * user and tenant, paged by id, with the vault's extension fields on every link view.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient } from '@fusionauth/typescript-client';
import { sql } from 'kysely';
import { serveWithClient } from '../helpers/fusionauth-client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { backends } from '../helpers/test-stores.ts';

type View = Record<string, unknown>;
type PlanNode = { readonly 'Node Type': string; readonly 'Relation Name'?: string; readonly 'Index Name'?: string; readonly Plans?: readonly PlanNode[] };

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}
interface SearchResult {
  readonly status: number;
  readonly body: { identityProviderLinks?: View[]; total?: number; fieldErrors?: Record<string, { code: string }[]> };
}

for (const backend of backends) {
  describe(`GET /api/identity-provider/link/search on ${backend}`, () => {
    let gatehouse: TestApp;
    let baseUrl: string;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let providerA: string;
    let providerB: string;
    let first: string;
    let second: string;
    let otherTenant: string;
    let scopedKey: string;
    const refreshed = Date.now() - 60_000;

    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ clientFor, baseUrl } = await serveWithClient(gatehouse));
      client = clientFor(gatehouse.apiKey, gatehouse.setup.defaultTenantId);
      const provider = async (name: string) =>
        (await client.createIdentityProvider('', { identityProvider: { type: 'OpenIDConnect', name: `${name} ${randomUUID()}`, buttonText: name, oauth2: { client_id: 'gatehouse', client_secret: 'upstream-secret', issuer: 'https://idp.example.com' } } as never })).response.identityProvider!.id!;
      providerA = await provider('A');
      providerB = await provider('B');
      const newUser = async (on = client) => (await on.createUser('', { user: { email: `search-${randomUUID()}@example.com`, password: 'password123' } })).response.user!.id!;
      const link = (on: FusionAuthClient, userId: string, identityProviderId: string, identityProviderUserId: string, token?: string) =>
        on.createUserLink({ identityProviderLink: { identityProviderId, identityProviderUserId, userId, ...(token === undefined ? {} : { token }) } } as never);
      first = await newUser();
      second = await newUser();
      await link(client, first, providerA, 'a-1', 'refresh-token-a1');
      await link(client, first, providerA, 'a-2');
      await link(client, first, providerB, 'b-1');
      await link(client, second, providerA, 'a-3');
      otherTenant = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
      scopedKey = (await client.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!;
      const scoped = clientFor(scopedKey);
      await link(scoped, await newUser(scoped), providerA, 'a-4');
      // The vault's state, as the hub leaves it after refreshes and failures.
      const db = gatehouse.store.db;
      await db.updateTable('identity_provider_links').set({ access_token_expiration_instant: refreshed + 3_600_000, refresh_token_expiration_instant: refreshed + 86_400_000, last_refresh_instant: refreshed, scopes: 'openid email  offline_access' }).where('identity_provider_user_id', '=', 'a-1').execute();
      await db.updateTable('identity_provider_links').set({ status: 'reauthorization_required' }).where('identity_provider_user_id', '=', 'a-2').execute();
      await db.updateTable('identity_provider_links').set({ status: 'revoked' }).where('identity_provider_user_id', '=', 'a-3').execute();
    });
    after(async () => {
      await gatehouse.close();
    });

    const search = async (query: Record<string, string>, apiKey = gatehouse.apiKey, headers: Record<string, string> = {}): Promise<SearchResult> => {
      const response = await fetch(`${baseUrl}/api/identity-provider/link/search?${new URLSearchParams(query)}`, { headers: { authorization: apiKey, ...headers } });
      const text = await response.text();
      return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
    };
    const upstreamIds = (result: SearchResult) => (result.body.identityProviderLinks ?? []).map((view) => view['identityProviderUserId']);
    /** The upstream user ids of the links in id order, as the database sorts them. */
    const inIdOrder = async (upstream: readonly string[]) =>
      (await gatehouse.store.db.selectFrom('identity_provider_links').select(['id', 'identity_provider_user_id']).where('identity_provider_user_id', 'in', upstream).orderBy('id').execute()).map((row) => row.identity_provider_user_id);
    const fieldCodes = (result: SearchResult) => Object.values(result.body.fieldErrors ?? {}).flat().map((error) => error.code).sort();

    it('filters by provider, status, user and tenant, in id order, with the total', async () => {
      const all = await search({ identityProviderId: providerA });
      assert.equal(all.status, 200);
      assert.deepEqual(upstreamIds(all), await inIdOrder(['a-1', 'a-2', 'a-3', 'a-4']));
      assert.equal(all.body.total, 4);
      const broken = await search({ identityProviderId: providerA, status: 'reauthorization_required' });
      assert.deepEqual([upstreamIds(broken), broken.body.total], [['a-2'], 1]);
      assert.deepEqual(upstreamIds(await search({ identityProviderId: providerA, status: 'revoked' })), ['a-3']);
      assert.deepEqual(upstreamIds(await search({ status: 'active' })), await inIdOrder(['a-1', 'a-4', 'b-1']));
      assert.deepEqual(upstreamIds(await search({ userId: first })), await inIdOrder(['a-1', 'a-2', 'b-1']));
      assert.deepEqual(upstreamIds(await search({ userId: first.toUpperCase(), identityProviderId: providerB })), ['b-1']);
      assert.deepEqual(upstreamIds(await search({ tenantId: otherTenant })), ['a-4']);
      assert.deepEqual(await search({ identityProviderId: randomUUID() }), { status: 200, body: { identityProviderLinks: [], total: 0 } });
      // The TypeScript client's absent values (`undefined`) are not filters.
      assert.equal((await search({ identityProviderId: providerA, status: 'undefined', userId: '' })).body.total, 4);
    });

    it('pages with startRow and numberOfResults; the total stays the whole count', async () => {
      const expected = await inIdOrder(['a-1', 'a-2', 'a-3', 'a-4']);
      const pages = [];
      for (const startRow of ['0', '2', '4']) {
        const page = await search({ identityProviderId: providerA, startRow, numberOfResults: '2' });
        assert.equal(page.body.total, 4);
        pages.push(...upstreamIds(page));
      }
      assert.deepEqual(pages, expected);
      assert.deepEqual(upstreamIds(await search({ identityProviderId: providerA, startRow: '3', numberOfResults: '500' })), expected.slice(3));
      assert.equal((await search({})).body.identityProviderLinks?.length, 5, 'default page of 25');
    });

    it('shows the vault state on each link view, leaving out what is unknown', async () => {
      const views = (await search({ identityProviderId: providerA })).body.identityProviderLinks!;
      const a1 = views.find((view) => view['identityProviderUserId'] === 'a-1')!;
      assert.equal(a1['status'], 'active');
      assert.equal(a1['tokenExpirationInstant'], refreshed + 3_600_000);
      assert.equal(a1['refreshTokenExpirationInstant'], refreshed + 86_400_000);
      assert.equal(a1['lastRefreshInstant'], refreshed);
      assert.deepEqual(a1['scopes'], ['openid', 'email', 'offline_access']);
      assert.equal(a1['userId'], first);
      assert.equal(a1['identityProviderType'], 'OpenIDConnect');
      const a3 = views.find((view) => view['identityProviderUserId'] === 'a-3')!;
      assert.equal(a3['status'], 'revoked');
      for (const absent of ['tokenExpirationInstant', 'refreshTokenExpirationInstant', 'lastRefreshInstant', 'scopes', 'token']) assert.equal(absent in a3, false, absent);
      // The Links API shows the same view.
      const listed = (await client.retrieveUserLinksByUserId(providerA, first)).response.identityProviderLinks as View[];
      assert.deepEqual(listed.find((view) => view['identityProviderUserId'] === 'a-1'), a1);
    });

    it('keeps a tenant-scoped key inside its tenant', async () => {
      const scoped = await search({ identityProviderId: providerA }, scopedKey);
      assert.deepEqual([upstreamIds(scoped), scoped.body.total], [['a-4'], 1]);
      assert.equal((await search({ tenantId: gatehouse.setup.defaultTenantId }, scopedKey)).status, 401);
      assert.deepEqual(upstreamIds(await search({ tenantId: otherTenant }, scopedKey)), ['a-4']);
      const viaHeader = await search({ identityProviderId: providerA }, gatehouse.apiKey, { 'x-fusionauth-tenantid': gatehouse.setup.defaultTenantId });
      assert.deepEqual(upstreamIds(viaHeader), await inIdOrder(['a-1', 'a-2', 'a-3']));
    });

    it('returns the refresh token only to keys with the vault scope', async () => {
      const tokenOf = (result: SearchResult) => result.body.identityProviderLinks?.find((view) => view['identityProviderUserId'] === 'a-1')?.['token'];
      assert.equal(tokenOf(await search({ userId: first })), 'refresh-token-a1');
      const linksOnly = (await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/identity-provider/link': ['GET'] } } } as never })).response.apiKey!.key!;
      const withoutVault = await search({ userId: first }, linksOnly);
      assert.equal(withoutVault.status, 200);
      assert.equal(withoutVault.body.total, 3);
      assert.equal(tokenOf(withoutVault), undefined);
      const vault = (await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/identity-provider/link': ['GET'], '/api/identity-provider/link/token': ['GET'] } } } as never })).response.apiKey!.key!;
      assert.equal(tokenOf(await search({ userId: first }, vault)), 'refresh-token-a1');
      const unrelated = (await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/user': ['GET'] } } } as never })).response.apiKey!.key!;
      assert.equal((await search({ userId: first }, unrelated)).status, 401);
    });

    it('answers invalid parameters with FusionAuth field errors', async () => {
      const one = await search({ status: 'broken' });
      assert.equal(one.status, 400);
      assert.deepEqual(fieldCodes(one), ['[invalid]status']);
      assert.deepEqual(fieldCodes(await search({ identityProviderId: 'nope', userId: 'x', tenantId: '1' })), ['[invalid]identityProviderId', '[invalid]tenantId', '[invalid]userId']);
      for (const numberOfResults of ['0', '501', 'ten', '-1', '2.5']) assert.deepEqual(fieldCodes(await search({ numberOfResults })), ['[invalid]numberOfResults'], numberOfResults);
      assert.deepEqual(fieldCodes(await search({ startRow: '-1', numberOfResults: '1000' })), ['[invalid]numberOfResults', '[invalid]startRow']);
      assert.equal((await search({ numberOfResults: '500', startRow: '0' })).status, 200);
    });

    if (backend === 'postgres') {
      it('finds links by provider and status through an index, not a scan of the table', async () => {
        const db = gatehouse.store.db;
        // Many links of provider B, so that a scan would be a real choice for the planner.
        await sql`
          insert into identity_provider_links (id, tenant_id, user_id, identity_provider_id, identity_provider_user_id, data, insert_instant, last_login_instant, status)
          select gen_random_uuid(), ${gatehouse.setup.defaultTenantId}, ${second}, ${providerB}, 'bulk-' || n, '{}'::jsonb, 0, 0, case when n % 10 = 0 then 'reauthorization_required' else 'active' end
          from generate_series(1, 2000) as n`.execute(db);
        await sql`analyze identity_provider_links`.execute(db);
        const result = await search({ identityProviderId: providerB, status: 'reauthorization_required', numberOfResults: '25' });
        assert.equal(result.body.total, 200);
        assert.equal(result.body.identityProviderLinks?.length, 25);
        const plans = [
          sql`explain (format json) select * from identity_provider_links where identity_provider_id = ${providerB} and status = 'reauthorization_required' order by id limit 25 offset 0`,
          sql`explain (format json) select count(*) from identity_provider_links where identity_provider_id = ${providerA} and status = 'active'`,
        ];
        for (const query of plans) {
          const rows = (await query.execute(db)).rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
          const nodes = planNodes(rows[0]!['QUERY PLAN'][0]!.Plan);
          const plan = JSON.stringify(rows);
          assert.equal(nodes.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'identity_provider_links'), false, plan);
          assert.ok(nodes.some((node) => node['Index Name'] === 'identity_provider_links_search'), plan);
        }
      });
    }
  });
}
