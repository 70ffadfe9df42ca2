import type { FastifyRequest } from 'fastify';
import type { TenantSettings } from '../../tenancy/tenant-settings.ts';

/**
 * The `iss` of tokens a tenant signs: its configured issuer, else the server's public URL (see
 * http/base-url.ts), so strict OpenID clients accept discovery out of the box.
 */
export function issuerFor(settings: Pick<TenantSettings, 'issuer'>, request: Pick<FastifyRequest, 'baseUrl'>): string {
  return settings.issuer ?? request.baseUrl;
}
