import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redirectUriAllowed, wildcardRegExp } from './redirect-uri-match.ts';

const exact = (urls: string[]) => ({ authorizedRedirectURLs: urls, authorizedURLValidationPolicy: 'ExactMatch' as const });
const wildcards = (urls: string[]) => ({ authorizedRedirectURLs: urls, authorizedURLValidationPolicy: 'AllowWildcards' as const });

describe('redirectUriAllowed', () => {
  it('matches registered URLs byte for byte', () => {
    const configuration = exact(['https://client.example.com/cb', 'com.example.app:/oauth']);
    assert.equal(redirectUriAllowed(configuration, 'https://client.example.com/cb'), true);
    assert.equal(redirectUriAllowed(configuration, 'com.example.app:/oauth'), true);
    for (const candidate of ['https://client.example.com/cb/', 'https://client.example.com:443/cb', 'https://Client.example.com/cb', 'https://client.example.com/c%62', 'com.example.app:/oauth/']) {
      assert.equal(redirectUriAllowed(configuration, candidate), false, candidate);
    }
  });

  it('refuses non-ASCII, response parameters in the query and plain http to other hosts, even when registered', () => {
    assert.equal(redirectUriAllowed(exact(['https://client.example.com/cb?ü=1']), 'https://client.example.com/cb?ü=1'), false);
    assert.equal(redirectUriAllowed(exact(['https://client.example.com/cb?state=1']), 'https://client.example.com/cb?state=1'), false);
    assert.equal(redirectUriAllowed(exact(['http://client.example.com/cb']), 'http://client.example.com/cb'), false);
    assert.equal(redirectUriAllowed(exact(['http://localhost:3000/cb']), 'http://localhost:3000/cb'), true);
  });

  it('relaxes the port of loopback IP registrations only (RFC 8252 §7.3)', () => {
    const configuration = exact(['http://127.0.0.1/cb', 'http://[::1]:8080/cb?x=1', 'http://localhost/cb']);
    assert.equal(redirectUriAllowed(configuration, 'http://127.0.0.1:49152/cb'), true);
    assert.equal(redirectUriAllowed(configuration, 'http://[::1]:1/cb?x=1'), true);
    assert.equal(redirectUriAllowed(configuration, 'http://[::1]:1/cb'), false);
    assert.equal(redirectUriAllowed(configuration, 'http://localhost:49152/cb'), false);
    assert.equal(redirectUriAllowed(configuration, 'http://127.0.0.1:49152/cb/..'), false);
  });

  it('applies wildcards only under AllowWildcards', () => {
    assert.equal(redirectUriAllowed(exact(['https://*.example.com/cb']), 'https://a.example.com/cb'), false);
    assert.equal(redirectUriAllowed(wildcards(['https://*.example.com/cb']), 'https://a.example.com/cb'), true);
  });
});

describe('wildcardRegExp', () => {
  it('matches FusionAuth wildcard positions and nothing more', () => {
    const host = wildcardRegExp('https://*.example.com/cb')!;
    assert.ok(host.test('https://app-1.example.com/cb'));
    assert.ok(!host.test('https://a.b.example.com/cb'));
    assert.ok(!host.test('https://a.example.com/cb/x'));
    const port = wildcardRegExp('https://example.com:*/cb')!;
    assert.ok(port.test('https://example.com:8443/cb'));
    assert.ok(!port.test('https://example.com:84a/cb'));
    const path = wildcardRegExp('https://example.com/cb/*/done')!;
    assert.ok(path.test('https://example.com/cb/42/done'));
    assert.ok(!path.test('https://example.com/cb/../done'));
    assert.ok(!path.test('https://example.com/cb/4/2/done'));
    const partial = wildcardRegExp('https://example.com/cb-*')!;
    assert.ok(partial.test('https://example.com/cb-x'));
    const query = wildcardRegExp('https://example.com/cb?tenant=*')!;
    assert.ok(query.test('https://example.com/cb?tenant=acme'));
    assert.ok(!query.test('https://example.com/cb?tenant=acme&code=1'));
  });
});
