import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { accessTokenContext, refreshTokenContext } from '../../src/federation/link-tokens.ts';
import { createKeyRing, parseMasterKeys, type KeyRing } from '../../src/keys/key-ring.ts';
import { startGatehouseCluster, type GatehouseCluster } from '../helpers/gatehouse-cluster.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';
import type { RunningGatehouse } from '../helpers/spawn-gatehouse.ts';
import { linkTokenUrl, linkUpstreamAccount, type UpstreamLink } from '../helpers/spawned-federation.ts';
import { startUpstreamProvider, type UpstreamProvider } from '../helpers/upstream-provider.ts';

interface LinkRow {
  id: string;
  status: string;
  version: string;
  token_sealed: Buffer | null;
  access_token_sealed: Buffer | null;
}

/** Polls `condition` every 20 ms, at most `ms`. */
async function waitUntil(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
  }
}

/** Runs `count` tasks with at most `limit` in flight; results in task order. */
async function bounded<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  }));
  return results;
}

/**
 * The token vault across two real `gatehouse` processes on one PostgreSQL database, against a real
 * oidc-provider upstream that rotates refresh tokens strictly: exactly one upstream refresh per expiry
 * cluster-wide, and a node killed (-9) mid-refresh never costs the link.
 */
describe('token vault: two Gatehouse processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let cluster: GatehouseCluster;
  let upstream: UpstreamProvider;
  let db: pg.Client;
  let keyRing: KeyRing;
  let link: UpstreamLink;
  let linkId: string;

  before(async () => {
    database = await createTestDatabase();
    upstream = await startUpstreamProvider();
    cluster = await startGatehouseCluster({ databaseUrl: database.url, nodes: 2, env: { GATEHOUSE_ALLOW_PRIVATE_NETWORK: 'true' } });
    keyRing = createKeyRing(parseMasterKeys(cluster.masterKey));
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    link = await linkUpstreamAccount({ baseUrl: cluster.nodes[0]!.baseUrl, apiKey: cluster.apiKey }, upstream, { account: 'alice' });
    linkId = (await storedLink()).id;
  });
  after(async () => {
    // Each step on its own: a failed start must not leave processes or the database behind.
    await cluster?.close().catch(() => undefined);
    await upstream?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await database?.drop();
  });

  const storedLink = async (): Promise<LinkRow> => {
    const { rows } = await db.query<LinkRow>('select id, status, version::text, token_sealed, access_token_sealed from identity_provider_links where user_id = $1', [link.userId]);
    assert.equal(rows.length, 1);
    return rows[0]!;
  };
  const refreshTokenOf = (row: LinkRow) => keyRing.unseal(row.token_sealed!, refreshTokenContext(row.id)).toString('utf8');
  const accessTokenOf = (row: LinkRow) => keyRing.unseal(row.access_token_sealed!, accessTokenContext(row.id)).toString('utf8');
  /** The stored access token expires now, as it would after its lifetime (the processes' clocks cannot be moved). */
  const expireAccessToken = () => db.query('update identity_provider_links set access_token_expiration_instant = $1 where id = $2', [Date.now() - 60_000, linkId]);
  const getToken = async (node: RunningGatehouse, extra: Record<string, string> = {}) => {
    const response = await fetch(linkTokenUrl(node.baseUrl, link, extra), { headers: { authorization: cluster.apiKey } });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const worksUpstream = async (accessToken: string) => (await fetch(`${upstream.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status === 200;
  const killHard = async (node: RunningGatehouse) => {
    const exited = once(node.process, 'exit');
    node.process.kill('SIGKILL');
    await exited;
  };

  it('500 concurrent requests for an expired token over both nodes: one upstream refresh, one token, the rotated refresh token stored', async () => {
    const previous = await storedLink();
    const previousAccess = accessTokenOf(previous);
    const previousRefresh = refreshTokenOf(previous);
    await expireAccessToken();
    const upstreamBefore = upstream.tokenRequests;

    const answers = await bounded(500, 100, (index) => getToken(cluster.nodes[index % 2]!));

    assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
    const tokens = new Set(answers.map((answer) => answer.body['accessToken']));
    assert.equal(tokens.size, 1, 'every caller got the same access token');
    const [token] = [...tokens] as string[];
    assert.notEqual(token, previousAccess);
    assert.equal(upstream.tokenRequests, upstreamBefore + 1, 'exactly one refresh at the upstream');
    assert.ok(await worksUpstream(token!));

    const refreshed = await storedLink();
    assert.equal(Number(refreshed.version), Number(previous.version) + 1);
    assert.equal(accessTokenOf(refreshed), token);
    assert.notEqual(refreshTokenOf(refreshed), previousRefresh, 'the rotated refresh token is stored');

    // The stored (rotated) refresh token is the live one: the upstream rotates strictly, so this would be invalid_grant otherwise.
    const forced = await getToken(cluster.nodes[1]!, { forceRefresh: 'true' });
    assert.equal(forced.status, 200);
    assert.notEqual(forced.body['accessToken'], token);
    assert.equal(upstream.tokenRequests, upstreamBefore + 2);
    assert.ok(await worksUpstream(forced.body['accessToken']));
  });

  it('kill -9 of a node while its refresh is held at the upstream (not yet redeemed): the other node refreshes with the same refresh token', async () => {
    const [victim, survivor] = cluster.nodes as [RunningGatehouse, RunningGatehouse];
    const previous = await storedLink();
    await expireAccessToken();
    const upstreamBefore = upstream.tokenRequests;
    upstream.holdTokenRequests(3_000);
    try {
      // The victim takes the link's row lock and sends the refresh; the upstream holds it before processing.
      const doomed = getToken(victim, { forceRefresh: 'true' }).catch((error: unknown) => error);
      await waitUntil('the victim’s refresh reaches the upstream', () => upstream.tokenRequests === upstreamBefore + 1);
      await killHard(victim);
      assert.ok((await doomed) instanceof Error, 'the victim never answered');
      // Its connection to the upstream died with it: the upstream drops the request unredeemed.
      await waitUntil('the upstream drops the dead node’s request', () => upstream.droppedTokenRequests === 1);
    } finally {
      upstream.holdTokenRequests(undefined);
    }
    // PostgreSQL ended the victim's session and released its row lock; nothing was committed.
    const untouched = await storedLink();
    assert.equal(untouched.version, previous.version);
    assert.deepEqual(untouched.token_sealed, previous.token_sealed);

    const answer = await getToken(survivor);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(upstream.tokenRequests, upstreamBefore + 2, 'the survivor refreshed once');
    assert.ok(await worksUpstream(answer.body['accessToken']));
    const after = await storedLink();
    assert.equal(after.status, 'active');
    assert.equal(Number(after.version), Number(previous.version) + 1);
    assert.notEqual(refreshTokenOf(after), refreshTokenOf(previous));
    assert.equal((await getToken(survivor, { forceRefresh: 'true' })).status, 200, 'the link keeps working');
  });

  /*
   * The other window: the upstream redeemed the refresh token (and, rotating strictly, killed it) but the
   * node died before committing the answer. By the crash rule in src/vault/link-access-tokens.ts that
   * refresh did not happen: the next node redeems the old refresh token, the upstream answers
   * invalid_grant, and the link turns reauthorization_required — a clear "reconnect" for the app, never a
   * silently broken link. This is by design; an upstream with a reuse grace period would let it through.
   */
  it('kill -9 after the upstream redeemed the refresh token but before the commit: the link asks for reauthorization', async () => {
    const victim = cluster.nodes[1]!;
    const survivor = await cluster.addNode();
    const previous = await storedLink();
    await expireAccessToken();
    const heldBefore = upstream.heldTokenResponses;
    upstream.holdTokenResponses(3_000);
    try {
      const doomed = getToken(victim, { forceRefresh: 'true' }).catch((error: unknown) => error);
      await waitUntil('the upstream processed the victim’s refresh', () => upstream.heldTokenResponses === heldBefore + 1);
      await killHard(victim);
      assert.ok((await doomed) instanceof Error);
    } finally {
      upstream.holdTokenResponses(undefined);
    }
    const untouched = await storedLink();
    assert.equal(untouched.version, previous.version, 'the redeemed answer was never committed');

    const answer = await getToken(survivor);
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.body['generalErrors'].map((error: { code: string }) => error.code), ['[IdentityProviderReauthorizationRequired]']);
    const after = await storedLink();
    assert.equal(after.status, 'reauthorization_required');
    assert.equal(after.token_sealed, null);
    assert.equal(after.access_token_sealed, null);
  });
});
