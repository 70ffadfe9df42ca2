import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthParameters } from '../form-parameters.ts';
import { cookieNames, cookieOptions } from './cookies.ts';

/**
 * CSRF protection of the hosted forms (UI-H-02): a random secret in an HttpOnly SameSite=Lax cookie, and
 * in each form a token = HMAC(secret, purpose, binding). The binding is what the form stands for — the
 * authorization parameters it carries, and the SSO session for consent and logout — so a token is good
 * for one form only, and a form whose hidden fields were edited is refused like a forged one. A
 * cross-site POST carries no cookie (SameSite=Lax) and cannot read the token: 403.
 */
export const csrfField = 'csrf_token';

export type CsrfPurpose = 'login' | 'consent' | 'logout' | 'device' | 'disconnect';

const secretSyntax = /^[A-Za-z0-9_-]{43}$/;

/** The browser's CSRF secret, set now when it has none. */
export function csrfSecret(request: FastifyRequest, reply: FastifyReply): string {
  const name = cookieNames(request).csrf;
  const existing = request.cookies[name];
  if (existing !== undefined && secretSyntax.test(existing)) return existing;
  const secret = randomBytes(32).toString('base64url');
  reply.setCookie(name, secret, cookieOptions(request));
  return secret;
}

/** A stable digest of parameters, in a fixed order (the order the form lists them in does not matter). */
export function parametersBinding(parameters: OAuthParameters): string {
  const entries = [...parameters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url');
}

function token(secret: string, purpose: CsrfPurpose, binding: string): Buffer {
  return createHmac('sha256', secret).update(`gatehouse-csrf\u0000${purpose}\u0000${binding}`).digest();
}

export function csrfToken(secret: string, purpose: CsrfPurpose, binding: string): string {
  return token(secret, purpose, binding).toString('base64url');
}

/** Whether the posted token matches the cookie's secret for this form, compared in constant time. */
export function csrfTokenValid(request: FastifyRequest, presented: string | undefined, purpose: CsrfPurpose, binding: string): boolean {
  const secret = request.cookies[cookieNames(request).csrf];
  if (secret === undefined || !secretSyntax.test(secret) || presented === undefined) return false;
  const expected = token(secret, purpose, binding);
  const actual = Buffer.from(presented, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
