import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { cookieNames, cookieOptions } from './cookies.ts';

const over = (protocol: 'http' | 'https') => ({ protocol }) as FastifyRequest;

describe('hosted-page cookies', () => {
  it('over https: Secure, and the __Host- prefix (no Domain, Path=/)', () => {
    assert.deepEqual(cookieNames(over('https')), { sso: '__Host-gatehouse_sso', csrf: '__Host-gatehouse_csrf' });
    assert.deepEqual(cookieOptions(over('https')), { httpOnly: true, sameSite: 'lax', secure: true, path: '/' });
  });

  it('over plain http (development, loopback): no Secure, no prefix', () => {
    assert.deepEqual(cookieNames(over('http')), { sso: 'gatehouse_sso', csrf: 'gatehouse_csrf' });
    assert.deepEqual(cookieOptions(over('http')), { httpOnly: true, sameSite: 'lax', secure: false, path: '/' });
  });
});
