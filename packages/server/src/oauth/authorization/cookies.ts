import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The hosted pages' two cookies: the SSO session and the CSRF secret the forms' tokens are bound to.
 * Both HttpOnly, SameSite=Lax (a cross-site POST arrives without them), Path=/. Over https they are
 * Secure and take the `__Host-` prefix, which browsers only accept from a secure origin without Domain
 * (UI-H-03). They are browser-session cookies: the server's idle expiry decides how long a session lives.
 */
export interface CookieNames {
  readonly sso: string;
  readonly csrf: string;
}

function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function cookieNames(request: FastifyRequest): CookieNames {
  return secure(request) ? { sso: '__Host-gatehouse_sso', csrf: '__Host-gatehouse_csrf' } : { sso: 'gatehouse_sso', csrf: 'gatehouse_csrf' };
}

export function cookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', secure: secure(request), path: '/' };
}

export function ssoCookie(request: FastifyRequest): string | undefined {
  return request.cookies[cookieNames(request).sso];
}

export function setSsoCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(cookieNames(request).sso, token, cookieOptions(request));
}

export function clearSsoCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(cookieNames(request).sso, cookieOptions(request));
}
