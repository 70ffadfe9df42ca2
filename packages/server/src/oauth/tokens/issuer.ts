import type { FastifyRequest } from 'fastify';
import type { TenantSettings } from '../../tenancy/tenant-settings.ts';

/**
 * The `iss` of tokens a tenant signs: its configured issuer, else the origin the request reached
 * (behind a proxy, set GATEHOUSE_TRUST_PROXY so X-Forwarded-* gives the public origin).
 */
export function issuerFor(settings: Pick<TenantSettings, 'issuer'>, request: FastifyRequest): string {
  return settings.issuer ?? `${request.protocol}://${request.host}`;
}
