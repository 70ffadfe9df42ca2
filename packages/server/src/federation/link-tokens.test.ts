import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys, UnsealError } from '../keys/key-ring.ts';
import { accessTokenContext, idTokenContext, refreshTokenContext, withUpstreamTokens, type LinkTokenFields } from './link-tokens.ts';
import type { UpstreamTokens } from './upstream-code-exchange.ts';

const keyRing = createKeyRing(parseMasterKeys(generateMasterKeySpec()));
const linkId = '6d1f0c8e-94a4-4d0e-9a59-1f3c3c1f2b10';
const otherLinkId = '0b7e1c55-2f0e-4f4c-8d3a-6a0c4f1e9e21';

const tokens = (overrides: Partial<UpstreamTokens>): UpstreamTokens => ({
  accessToken: 'access-1',
  refreshToken: 'refresh-1',
  idToken: undefined,
  accessTokenExpirationInstant: 1_000,
  scope: 'openid offline_access',
  ...overrides,
});
const refreshOf = (fields: LinkTokenFields, id = linkId): string | undefined =>
  fields.tokenSealed === undefined ? undefined : keyRing.unseal(fields.tokenSealed, refreshTokenContext(id)).toString('utf8');
const accessOf = (fields: LinkTokenFields, id = linkId): string | undefined =>
  fields.accessTokenSealed === undefined ? undefined : keyRing.unseal(fields.accessTokenSealed, accessTokenContext(id)).toString('utf8');

describe('withUpstreamTokens', () => {
  it('seals a first sign-in\'s tokens for the link, with expiry and scopes', () => {
    const fields = withUpstreamTokens(keyRing, linkId, undefined, tokens({}));
    assert.equal(refreshOf(fields), 'refresh-1');
    assert.equal(accessOf(fields), 'access-1');
    assert.equal(fields.accessTokenExpirationInstant, 1_000);
    assert.equal(fields.scopes, 'openid offline_access');
    assert.equal(fields.tokenSealed!.includes(Buffer.from('refresh-1')), false);
  });

  it('keeps the stored refresh token when a later sign-in brings none, and replaces access token, expiry and scopes together', () => {
    const first = withUpstreamTokens(keyRing, linkId, undefined, tokens({}));
    const second = withUpstreamTokens(keyRing, linkId, first, tokens({ refreshToken: undefined, accessToken: 'access-2', accessTokenExpirationInstant: 2_000, scope: 'openid' }));
    assert.deepEqual(second.tokenSealed, first.tokenSealed);
    assert.equal(refreshOf(second), 'refresh-1');
    assert.equal(accessOf(second), 'access-2');
    assert.equal(second.accessTokenExpirationInstant, 2_000);
    assert.equal(second.scopes, 'openid');
  });

  it('replaces the refresh token when a new one comes; keeps the scopes when the upstream sends none (RFC 6749 §5.1)', () => {
    const first = withUpstreamTokens(keyRing, linkId, undefined, tokens({}));
    const second = withUpstreamTokens(keyRing, linkId, first, tokens({ refreshToken: 'refresh-2', accessToken: 'access-2', accessTokenExpirationInstant: undefined, scope: undefined }));
    assert.equal(refreshOf(second), 'refresh-2');
    assert.equal(accessOf(second), 'access-2');
    assert.equal(second.accessTokenExpirationInstant, undefined, 'the expiry belongs to the new access token');
    assert.equal(second.scopes, 'openid offline_access');
  });

  it('keeps the whole access grant when no access token comes, and everything without tokens', () => {
    const first = withUpstreamTokens(keyRing, linkId, undefined, tokens({}));
    const noAccess = withUpstreamTokens(keyRing, linkId, first, tokens({ accessToken: undefined, refreshToken: 'refresh-2', accessTokenExpirationInstant: 9_999, scope: 'other' }));
    assert.equal(refreshOf(noAccess), 'refresh-2');
    assert.deepEqual(noAccess.accessTokenSealed, first.accessTokenSealed);
    assert.equal(noAccess.accessTokenExpirationInstant, 1_000);
    assert.equal(noAccess.scopes, 'openid offline_access');
    assert.deepEqual(withUpstreamTokens(keyRing, linkId, first, undefined), first);
    assert.deepEqual(withUpstreamTokens(keyRing, linkId, undefined, undefined), {
      tokenSealed: undefined,
      accessTokenSealed: undefined,
      accessTokenExpirationInstant: undefined,
      scopes: undefined,
      idTokenSealed: undefined,
      refreshTokenExpirationInstant: undefined,
    });
  });

  it('keeps the ID token and the refresh token\'s expiry with the tokens they came with', () => {
    const first = withUpstreamTokens(keyRing, linkId, undefined, tokens({ idToken: 'id-1', refreshTokenExpirationInstant: 5_000 }));
    assert.equal(keyRing.unseal(first.idTokenSealed!, idTokenContext(linkId)).toString('utf8'), 'id-1');
    assert.equal(first.refreshTokenExpirationInstant, 5_000);
    // A refresh without a new refresh token keeps its expiry; without an ID token keeps the old one.
    const refreshed = withUpstreamTokens(keyRing, linkId, first, tokens({ refreshToken: undefined, accessToken: 'access-2' }));
    assert.equal(refreshed.refreshTokenExpirationInstant, 5_000);
    assert.deepEqual(refreshed.idTokenSealed, first.idTokenSealed);
    // A new refresh token brings its own expiry (none said: unknown).
    const rotated = withUpstreamTokens(keyRing, linkId, first, tokens({ refreshToken: 'refresh-2' }));
    assert.equal(rotated.refreshTokenExpirationInstant, undefined);
  });

  it('seals per row and column: another link id, or the other column, does not unseal', () => {
    const fields = withUpstreamTokens(keyRing, linkId, undefined, tokens({}));
    assert.throws(() => refreshOf(fields, otherLinkId), UnsealError);
    assert.throws(() => accessOf(fields, otherLinkId), UnsealError);
    assert.throws(() => keyRing.unseal(fields.tokenSealed!, accessTokenContext(linkId)), UnsealError);
    assert.throws(() => keyRing.unseal(fields.accessTokenSealed!, refreshTokenContext(linkId)), UnsealError);
  });
});
