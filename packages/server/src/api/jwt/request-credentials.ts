import type { FastifyRequest } from 'fastify';

/** The JWT of `Authorization: Bearer <jwt>`, else the `access_token` cookie FusionAuth's hosted login sets. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined && /^bearer\s+/i.test(header)) return header.replace(/^bearer\s+/i, '').trim() || undefined;
  const cookie = request.headers.cookie;
  const match = cookie === undefined ? null : /(?:^|;\s*)access_token=([^;]+)/.exec(cookie);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** The `refresh_token` cookie FusionAuth's hosted login sets, when present. */
export function refreshTokenCookie(request: FastifyRequest): string | undefined {
  const match = /(?:^|;\s*)refresh_token=([^;]+)/.exec(request.headers.cookie ?? '');
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
