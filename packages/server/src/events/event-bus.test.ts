import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../http/logger.ts';
import { newLinkVaultState, type IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { User } from '../store/repositories/user-repository.ts';
import { createEventBus } from './event-bus.ts';
import { eventTypes, type GatehouseEvent } from './event-catalogue.ts';

const user: User = {
  id: '00000000-0000-4000-8000-000000000001',
  tenantId: '00000000-0000-4000-8000-0000000000aa',
  email: 'ada@example.com',
  username: undefined,
  password: { hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', scheme: 'argon2id', factor: 2, salt: 'pepper-salt' },
  passwordChangeRequired: false,
  passwordLastUpdateInstant: 1,
  active: true,
  verified: true,
  profile: { firstName: 'Ada', data: { plan: 'gold' } },
  expiry: undefined,
  lastLoginInstant: undefined,
  insertInstant: 1,
  lastUpdateInstant: 2,
};

const link: IdentityProviderLink = {
  id: '00000000-0000-4000-8000-000000000002',
  tenantId: user.tenantId,
  userId: user.id,
  identityProviderId: '00000000-0000-4000-8000-000000000003',
  identityProviderUserId: 'upstream-42',
  displayName: 'ada',
  data: {},
  tokenSealed: Buffer.from('sealed-upstream-refresh-token'),
  insertInstant: 3,
  lastLoginInstant: 4,
  accessTokenSealed: Buffer.from('sealed-upstream-access-token'),
  accessTokenExpirationInstant: 5,
  scopes: 'openid offline_access',
  ...newLinkVaultState,
  idTokenSealed: Buffer.from('sealed-upstream-id-token'),
};

const loginSuccess = { type: 'user.login.success', tenantId: user.tenantId, applicationId: 'app-1', authenticationType: 'PASSWORD', user } as const;

function memoryLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('info', sink), text: () => lines.join('') };
}

/** Resolves once every setImmediate queued before it has run. */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('event bus', () => {
  it('fills id and instant and returns the event before any listener runs', async () => {
    const bus = createEventBus({ now: () => 1234 });
    const received: GatehouseEvent[] = [];
    bus.subscribe((event) => void received.push(event));
    const event = await bus.emit(loginSuccess);
    assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(event.createInstant, 1234);
    assert.equal(event.type, 'user.login.success');
    assert.deepEqual(received, [], 'delivery waits for the emitter to move on');
    await settle();
    assert.deepEqual(received, [event]);
    assert.notEqual((await bus.emit(loginSuccess)).id, event.id);
  });

  it('projects the user without any credential and freezes the event', async () => {
    const event = await createEventBus().emit(loginSuccess);
    assert.ok(event.type === 'user.login.success');
    assert.deepEqual(event.user, {
      id: user.id,
      tenantId: user.tenantId,
      email: 'ada@example.com',
      firstName: 'Ada',
      active: true,
      verified: true,
      passwordChangeRequired: false,
      insertInstant: 1,
      lastUpdateInstant: 2,
      data: { plan: 'gold' },
    });
    const serialized = JSON.stringify(event);
    for (const secret of ['argon2id', 'pepper-salt', '"password"', '"salt"', '"hash"']) assert.equal(serialized.includes(secret), false, secret);
    assert.equal(Object.isFrozen(event.user.data), true);
  });

  it('projects a link without its token, with the provider name and type', async () => {
    const event = await createEventBus().emit({ type: 'user.identity-provider.link', tenantId: link.tenantId, identityProviderLink: link, identityProvider: { name: 'Upstream', type: 'OpenIDConnect' }, user });
    assert.ok(event.type === 'user.identity-provider.link');
    assert.deepEqual(event.identityProviderLink, {
      displayName: 'ada',
      identityProviderId: link.identityProviderId,
      identityProviderName: 'Upstream',
      identityProviderType: 'OpenIDConnect',
      identityProviderUserId: 'upstream-42',
      insertInstant: 3,
      lastLoginInstant: 4,
      tenantId: link.tenantId,
      userId: user.id,
    });
    const serialized = JSON.stringify(event);
    for (const secret of ['token', 'Token', 'sealed', 'scopes']) assert.equal(serialized.includes(secret), false, secret);
  });

  it('logs a throwing or rejecting listener by id and type only, and still delivers to the others', async () => {
    const logs = memoryLogger();
    const bus = createEventBus({ logger: logs.logger });
    const received: string[] = [];
    bus.subscribe(() => {
      throw new Error('listener broke');
    });
    bus.subscribe(async () => {
      throw new Error('async listener broke');
    });
    bus.subscribe((event) => void received.push(event.id));
    const event = await bus.emit(loginSuccess);
    await settle();
    assert.deepEqual(received, [event.id]);
    const entries = logs.text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(entries.length, 2);
    for (const entry of entries) {
      assert.equal(entry['msg'], 'event listener failed');
      assert.equal(entry['eventId'], event.id);
      assert.equal(entry['eventType'], 'user.login.success');
    }
    assert.equal(logs.text().includes('ada@example.com'), false, 'the payload is never logged');
  });

  it('stops delivering to a listener once unsubscribed, and the same listener may subscribe twice', async () => {
    const bus = createEventBus();
    let calls = 0;
    const listener = () => void calls++;
    const first = bus.subscribe(listener);
    const second = bus.subscribe(listener);
    await bus.emit(loginSuccess);
    await settle();
    assert.equal(calls, 2);
    first();
    await bus.emit(loginSuccess);
    await settle();
    assert.equal(calls, 3);
    second();
    second();
    await bus.emit(loginSuccess);
    await settle();
    assert.equal(calls, 3);
  });

  it('keeps no state between buses', async () => {
    const catalogue = [...eventTypes];
    const one = createEventBus();
    const two = createEventBus();
    let heard = 0;
    one.subscribe(() => void heard++);
    await two.emit(loginSuccess);
    await settle();
    assert.equal(heard, 0);
    assert.deepEqual([...eventTypes], catalogue, 'buses leave the catalogue as it was');
  });
});
