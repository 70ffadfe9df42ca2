import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/errors/api-error.ts';
import { createIdentityProvider } from '../../src/federation/identity-providers.ts';
import { completePendingLink, createPendingLink, linkUser } from '../../src/federation/identity-provider-links.ts';
import { decideLinking, storeLinkingLookups, type LinkingDecision, type LinkingStrategy, type UpstreamIdentity } from '../../src/federation/linking-strategy.ts';
import { linkingStrategies } from '../../src/federation/identity-provider-schema.ts';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys } from '../../src/keys/key-ring.ts';
import type { IdentityProvider } from '../../src/store/repositories/identity-provider-repository.ts';
import type { Repositories } from '../../src/store/repositories/index.ts';
import { tenant, user } from '../helpers/store-fixtures.ts';
import { backends, openTestStore, type TestStore } from '../helpers/test-stores.ts';

const now = 1_750_000_000_000;
const keyRing = createKeyRing(parseMasterKeys(generateMasterKeySpec()));

/** Every strategy the schema accepts: a new one cannot go untested. */
const strategies: readonly LinkingStrategy[] = linkingStrategies;

/** The situations every strategy is tried in; `existing` is the user the situation created, if any. */
type Situation = 'link exists' | 'user exists' | 'no user' | 'unverified email, user exists' | 'unverified email, no user' | 'no email or username claim';
const situations: readonly Situation[] = ['link exists', 'user exists', 'no user', 'unverified email, user exists', 'unverified email, no user', 'no email or username claim'];

/** Expected decisions; 'existing' stands for the situation's user id. */
type Expected = LinkingDecision | { readonly kind: 'linked' | 'link'; readonly userId: 'existing' };
const existing = { kind: 'link', userId: 'existing' } as const;
const linked = { kind: 'linked', userId: 'existing' } as const;
const pending = { kind: 'pending' } as const;
const anonymous = { kind: 'anonymous' } as const;
const no = (reason: string) => ({ kind: 'refused', reason }) as LinkingDecision;
const create = (emailVerified: boolean) => ({ kind: 'create', email: 'EMAIL', emailVerified, username: 'USERNAME' }) as LinkingDecision;

const table: Record<LinkingStrategy, Record<Situation, Expected>> = {
  CreatePendingLink: {
    'link exists': linked,
    'user exists': pending,
    'no user': pending,
    'unverified email, user exists': pending,
    'unverified email, no user': pending,
    'no email or username claim': pending,
  },
  Disabled: {
    'link exists': linked,
    'user exists': no('disabled'),
    'no user': no('disabled'),
    'unverified email, user exists': no('disabled'),
    'unverified email, no user': no('disabled'),
    'no email or username claim': no('disabled'),
  },
  LinkAnonymously: {
    'link exists': linked,
    'user exists': anonymous,
    'no user': anonymous,
    'unverified email, user exists': anonymous,
    'unverified email, no user': anonymous,
    'no email or username claim': anonymous,
  },
  LinkByEmail: {
    'link exists': linked,
    'user exists': existing,
    'no user': create(true),
    'unverified email, user exists': no('unverifiedEmail'),
    'unverified email, no user': create(false),
    'no email or username claim': no('missingEmail'),
  },
  LinkByEmailForExistingUser: {
    'link exists': linked,
    'user exists': existing,
    'no user': no('noUser'),
    'unverified email, user exists': no('unverifiedEmail'),
    'unverified email, no user': no('unverifiedEmail'),
    'no email or username claim': no('missingEmail'),
  },
  LinkByUsername: {
    'link exists': linked,
    'user exists': existing,
    'no user': create(true),
    // Usernames carry no verification: the username alone links.
    'unverified email, user exists': existing,
    'unverified email, no user': create(false),
    'no email or username claim': no('missingUsername'),
  },
  LinkByUsernameForExistingUser: {
    'link exists': linked,
    'user exists': existing,
    'no user': no('noUser'),
    'unverified email, user exists': existing,
    'unverified email, no user': no('noUser'),
    'no email or username claim': no('missingUsername'),
  },
  Unsupported: {
    'link exists': linked,
    'user exists': no('unsupported'),
    'no user': no('unsupported'),
    'unverified email, user exists': no('unsupported'),
    'unverified email, no user': no('unsupported'),
    'no email or username claim': no('unsupported'),
  },
};

for (const backend of backends) {
  describe(`linking strategies on ${backend}`, () => {
    let testStore: TestStore;
    let repositories: Repositories;
    let tenantId: string;
    let otherTenantId: string;
    const providers = new Map<LinkingStrategy, IdentityProvider>();

    const provider = (settings: Record<string, unknown>) =>
      createIdentityProvider(
        repositories,
        keyRing,
        undefined,
        {
          type: 'OpenIDConnect',
          name: `Corp SSO ${randomUUID()}`,
          buttonText: 'Login with Corp',
          oauth2: { client_id: 'gatehouse', client_secret: 'upstream-secret', issuer: 'https://idp.example.com' },
          ...settings,
        },
        now,
      );

    /** A stored user of the tenant with this email (and username), and its id. */
    const storedUser = async (overrides: { email?: string; username?: string; tenantId?: string }) => {
      const { tenantId: owner, ...loginIds } = overrides;
      const row = user(owner ?? tenantId, loginIds);
      await repositories.users.insert(row);
      return row.id;
    };

    const fresh = () => {
      const tag = randomUUID();
      return { identityProviderUserId: `upstream-${tag}`, email: `${tag}@corp.example`, username: `user-${tag}`, displayName: `User ${tag}` };
    };

    const decide = (target: IdentityProvider, identity: UpstreamIdentity, tenant = tenantId) => decideLinking(target, tenant, identity, storeLinkingLookups(repositories));

    before(async () => {
      testStore = await openTestStore(backend);
      repositories = testStore.store.repositories;
      const owner = tenant(`Linking ${randomUUID()}`);
      const other = tenant(`Other ${randomUUID()}`);
      await repositories.tenants.insert(owner);
      await repositories.tenants.insert(other);
      tenantId = owner.id;
      otherTenantId = other.id;
      for (const strategy of strategies) providers.set(strategy, await provider({ linkingStrategy: strategy }));
    });
    after(async () => {
      await testStore.dispose();
    });

    /** Builds the situation in the store and returns the identity the upstream brings and the situation's user. */
    async function arrange(target: IdentityProvider, situation: Situation): Promise<{ identity: UpstreamIdentity; userId: string | undefined }> {
      const upstream = fresh();
      switch (situation) {
        case 'link exists': {
          // The linked user has other login ids: only the link decides.
          const userId = await storedUser({ email: `linked-${randomUUID()}@example.com` });
          await linkUser(repositories, keyRing, { identityProviderId: target.id, identityProviderUserId: upstream.identityProviderUserId, userId, displayName: undefined, token: 'rt' }, undefined, now);
          return { identity: { ...upstream, emailVerified: true }, userId };
        }
        case 'user exists':
          return { identity: { ...upstream, emailVerified: true }, userId: await storedUser({ email: upstream.email.toUpperCase(), username: upstream.username }) };
        case 'no user':
          return { identity: { ...upstream, emailVerified: true }, userId: undefined };
        case 'unverified email, user exists':
          return { identity: { ...upstream, emailVerified: false }, userId: await storedUser({ email: upstream.email, username: upstream.username }) };
        case 'unverified email, no user':
          return { identity: { ...upstream, emailVerified: false }, userId: undefined };
        case 'no email or username claim':
          // Blank claims count as missing: no user is looked up by them.
          await storedUser({ username: `blank-${randomUUID()}` });
          return { identity: { identityProviderUserId: upstream.identityProviderUserId, email: ' ', username: '', emailVerified: true }, userId: undefined };
      }
    }

    const resolve = (expected: Expected, userId: string | undefined, identity: UpstreamIdentity): LinkingDecision => {
      if (expected.kind === 'link' || expected.kind === 'linked') return { kind: expected.kind, userId: userId! };
      if (expected.kind === 'create') return { kind: 'create', email: identity.email, emailVerified: expected.emailVerified, username: identity.username };
      return expected;
    };

    for (const strategy of strategies) {
      describe(strategy, () => {
        for (const situation of situations) {
          it(`${situation} → ${JSON.stringify(table[strategy][situation])}`, async () => {
            const target = providers.get(strategy)!;
            const { identity, userId } = await arrange(target, situation);
            assert.deepEqual(await decide(target, identity), resolve(table[strategy][situation], userId, identity));
          });
        }
      });
    }

    it('summary: every strategy in every situation, as one table', async () => {
      const actual: Record<string, Record<string, string>> = {};
      const expected: Record<string, Record<string, string>> = {};
      const show = (decision: LinkingDecision, userId: string | undefined) =>
        decision.kind === 'refused' ? `refused:${decision.reason}`
        : decision.kind === 'create' ? `create:${decision.emailVerified ? 'verified' : 'unverified'}`
        : 'userId' in decision ? `${decision.kind}:${decision.userId === userId ? 'existing' : decision.userId}`
        : decision.kind;
      for (const strategy of strategies) {
        actual[strategy] = {};
        expected[strategy] = {};
        for (const situation of situations) {
          const target = providers.get(strategy)!;
          const { identity, userId } = await arrange(target, situation);
          actual[strategy][situation] = show(await decide(target, identity), userId);
          expected[strategy][situation] = show(resolve(table[strategy][situation], userId, identity), userId);
        }
      }
      assert.deepEqual(actual, expected);
    });

    it('an unset strategy is FusionAuth’s default, LinkByEmail', async () => {
      const target = await provider({});
      assert.equal(target.settings['linkingStrategy'], 'LinkByEmail');
      assert.equal(target.settings['linkOnlyVerifiedEmails'], undefined, 'absent means the secure default');
      const upstream = fresh();
      const userId = await storedUser({ email: upstream.email });
      assert.deepEqual(await decide(target, { ...upstream, emailVerified: true }), { kind: 'link', userId });
    });

    it('without an email_verified claim, an email links only when the provider sets linkOnlyVerifiedEmails: false', async () => {
      const strict = await provider({ linkingStrategy: 'LinkByEmail', linkOnlyVerifiedEmails: true });
      const trusting = await provider({ linkingStrategy: 'LinkByEmail', linkOnlyVerifiedEmails: false });
      const trustingExisting = await provider({ linkingStrategy: 'LinkByEmailForExistingUser', linkOnlyVerifiedEmails: false });
      const upstream = fresh();
      const userId = await storedUser({ email: upstream.email });
      const unclaimed = { ...upstream, emailVerified: undefined };
      assert.deepEqual(await decide(providers.get('LinkByEmail')!, unclaimed), { kind: 'refused', reason: 'unverifiedEmail' }, 'default');
      assert.deepEqual(await decide(strict, unclaimed), { kind: 'refused', reason: 'unverifiedEmail' });
      assert.deepEqual(await decide(providers.get('LinkByEmailForExistingUser')!, unclaimed), { kind: 'refused', reason: 'unverifiedEmail' });
      assert.deepEqual(await decide(trusting, unclaimed), { kind: 'link', userId });
      assert.deepEqual(await decide(trustingExisting, unclaimed), { kind: 'link', userId });
      // An upstream that says the email is unverified is never trusted, whatever the setting.
      assert.deepEqual(await decide(trusting, { ...upstream, emailVerified: false }), { kind: 'refused', reason: 'unverifiedEmail' });
      assert.deepEqual(await decide(trustingExisting, { ...upstream, emailVerified: false }), { kind: 'refused', reason: 'unverifiedEmail' });
      // A new user: its email starts verified only when trusted.
      const newcomer = fresh();
      assert.deepEqual(await decide(trusting, { ...newcomer, emailVerified: undefined }), { kind: 'create', email: newcomer.email, emailVerified: true, username: newcomer.username });
      assert.deepEqual(await decide(strict, { ...newcomer, emailVerified: undefined }), { kind: 'create', email: newcomer.email, emailVerified: false, username: newcomer.username });
      assert.deepEqual(await decide(trusting, { ...newcomer, emailVerified: false }), { kind: 'create', email: newcomer.email, emailVerified: false, username: newcomer.username });
    });

    it('linkOnlyVerifiedEmails must be a boolean', async () => {
      await assert.rejects(provider({ linkOnlyVerifiedEmails: 'no' }), (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.deepEqual(Object.keys(error.fieldErrors), ['identityProvider.linkOnlyVerifiedEmails']);
        assert.equal(error.fieldErrors['identityProvider.linkOnlyVerifiedEmails']![0]!.code, '[invalid]identityProvider.linkOnlyVerifiedEmails');
        return true;
      });
    });

    it('a new user cannot take an email or username another user of the tenant holds', async () => {
      const upstream = fresh();
      await storedUser({ email: upstream.email });
      // Linking by username, the email's owner is someone else: no link to them, no duplicate user.
      assert.deepEqual(await decide(providers.get('LinkByUsername')!, { ...upstream, emailVerified: true }), { kind: 'refused', reason: 'emailInUse' });
      const other = fresh();
      await storedUser({ email: `someone-${randomUUID()}@example.com`, username: other.username.toUpperCase() });
      assert.deepEqual(await decide(providers.get('LinkByEmail')!, { ...other, emailVerified: true }), { kind: 'refused', reason: 'usernameInUse' });
      // Without the conflicting claim, the user is created.
      assert.deepEqual(await decide(providers.get('LinkByEmail')!, { ...other, username: undefined, emailVerified: true }), { kind: 'create', email: other.email, emailVerified: true, username: undefined });
      assert.deepEqual(await decide(providers.get('LinkByUsername')!, { ...upstream, email: undefined }), { kind: 'create', email: undefined, emailVerified: false, username: upstream.username });
    });

    it('looks users up in the login’s tenant only', async () => {
      const upstream = fresh();
      await storedUser({ email: upstream.email, username: upstream.username, tenantId: otherTenantId });
      assert.deepEqual(await decide(providers.get('LinkByEmailForExistingUser')!, { ...upstream, emailVerified: true }), { kind: 'refused', reason: 'noUser' });
      assert.deepEqual(await decide(providers.get('LinkByUsernameForExistingUser')!, { ...upstream, emailVerified: true }), { kind: 'refused', reason: 'noUser' });
      assert.deepEqual(await decide(providers.get('LinkByEmail')!, { ...upstream, emailVerified: true }), { kind: 'create', email: upstream.email, emailVerified: true, username: upstream.username });
      const userId = await storedUser({ email: upstream.email, username: upstream.username });
      assert.deepEqual(await decide(providers.get('LinkByEmail')!, { ...upstream, emailVerified: true }), { kind: 'link', userId });
    });

    it('a link to a user of another tenant does not log in to this one', async () => {
      const target = providers.get('LinkByEmail')!;
      const upstream = fresh();
      const elsewhere = await storedUser({ email: upstream.email, tenantId: otherTenantId });
      await linkUser(repositories, keyRing, { identityProviderId: target.id, identityProviderUserId: upstream.identityProviderUserId, userId: elsewhere, displayName: undefined, token: undefined }, undefined, now);
      await storedUser({ email: upstream.email });
      assert.deepEqual(await decide(target, { ...upstream, emailVerified: true }), { kind: 'refused', reason: 'linkedInAnotherTenant' });
      assert.deepEqual(await decide(target, { ...upstream, emailVerified: true }, otherTenantId), { kind: 'linked', userId: elsewhere });
    });

    it('a link only matches its own provider and upstream id', async () => {
      const upstream = fresh();
      const userId = await storedUser({});
      await linkUser(repositories, keyRing, { identityProviderId: providers.get('Disabled')!.id, identityProviderUserId: upstream.identityProviderUserId, userId, displayName: undefined, token: undefined }, undefined, now);
      assert.deepEqual(await decide(providers.get('Disabled')!, upstream), { kind: 'linked', userId });
      assert.deepEqual(await decide(providers.get('Disabled')!, { ...upstream, identityProviderUserId: `${upstream.identityProviderUserId}-2` }), { kind: 'refused', reason: 'disabled' });
      assert.deepEqual(await decide(providers.get('CreatePendingLink')!, upstream), { kind: 'pending' }, 'another provider');
    });

    it('acting on the decision: a pending link completed through the Links API, then a link, log in next time', async () => {
      const target = providers.get('CreatePendingLink')!;
      const upstream = fresh();
      const identity = { ...upstream, emailVerified: true };
      assert.deepEqual(await decide(target, identity), { kind: 'pending' });
      const pendingId = await createPendingLink(repositories, keyRing, { tenantId, identityProviderId: target.id, ...upstream }, now);
      assert.deepEqual(await decide(target, identity), { kind: 'pending' }, 'a pending link is no link');
      const userId = await storedUser({});
      await completePendingLink(repositories, keyRing, { pendingId, userId }, undefined, now);
      assert.deepEqual(await decide(target, identity), { kind: 'linked', userId });

      const byEmail = providers.get('LinkByEmail')!;
      const owner = await storedUser({ email: upstream.email });
      const decision = await decide(byEmail, identity);
      assert.deepEqual(decision, { kind: 'link', userId: owner });
      await linkUser(repositories, keyRing, { identityProviderId: byEmail.id, identityProviderUserId: upstream.identityProviderUserId, userId: owner, displayName: upstream.displayName, token: undefined }, undefined, now);
      // The email changes upstream (or stops being verified): the link still decides.
      assert.deepEqual(await decide(byEmail, { ...identity, email: 'changed@corp.example', emailVerified: false }), { kind: 'linked', userId: owner });
    });
  });
}
