import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOriginUrl, isRedirectUrl, isResourceUri, isWebUrl, isWildcardPattern } from './authorized-urls.ts';

describe('authorized URL shapes', () => {
  it('accepts web and native-app redirect URLs, refuses fragments and dangerous schemes', () => {
    for (const url of ['https://example.com/redirect', 'http://localhost:3000/cb?x=1', 'com.myApp://redirect', 'com.myApp:/redirect']) {
      assert.equal(isRedirectUrl(url), true, url);
    }
    for (const url of ['/relative', 'example.com/cb', 'https://example.com/cb#frag', 'javascript:/alert(1)', 'data:/x', 'http:/example.com',
      ' https://example.com', 'https://exa mple.com', 'https://user:pw@example.com/', 'urn:ietf:wg:oauth:2.0:oob', '']) {
      assert.equal(isRedirectUrl(url), false, url);
    }
  });

  it('accepts origins only (no path or query) and native origins', () => {
    for (const url of ['https://example.com', 'https://example.com:8443/', 'com.myApp://example', 'com.myApp:/example']) assert.equal(isOriginUrl(url), true, url);
    for (const url of ['https://example.com/path', 'https://example.com?x=1', 'https://example.com#x']) assert.equal(isOriginUrl(url), false, url);
  });

  it('checks resource URIs and web URLs', () => {
    assert.equal(isResourceUri('https://api.example.com/v2'), true);
    assert.equal(isResourceUri('urn:example:api'), true);
    assert.equal(isResourceUri('https://api.example.com#x'), false);
    assert.equal(isResourceUri('api'), false);
    assert.equal(isWebUrl('https://example.com/device'), true);
    assert.equal(isWebUrl('com.app:/device'), false);
  });

  it("follows FusionAuth's wildcard rules", () => {
    const valid = ['https://*.example.com', 'https://blah*.example.com', 'https://example.com:*', 'https://example.com/path/*/resource',
      'https://example.com/p*/to/resource', 'https://example.com/*/par*tial/*', 'https://example.com?foo=*', 'https://example.com?foo=*&bar=*&baz=blah'];
    for (const url of valid) assert.equal(isWildcardPattern(url, 'redirect'), true, url);
    const invalid = ['https://*.com', 'https://auth.*.com', 'https://*mid*.example.com', 'https://*.168.1.1', 'https://example.com:4*',
      'https://example.com/path/*mid*/resource', 'https://example.com?foo=par*tial', 'https://example.com?*=blah', 'com.app://*', 'https://*.example.com/#*'];
    for (const url of invalid) assert.equal(isWildcardPattern(url, 'redirect'), false, url);
    assert.equal(isWildcardPattern('https://*.example.com:*', 'origin'), true);
    assert.equal(isWildcardPattern('https://*.example.com/*', 'origin'), false);
  });
});
