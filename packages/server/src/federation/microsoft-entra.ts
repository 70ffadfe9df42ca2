/**
 * Microsoft Entra ID on top of an OpenIDConnect provider (docs/federation.md, "Microsoft Entra ID").
 * A multi-tenant application uses the issuer https://login.microsoftonline.com/common/v2.0 (or
 * `organizations`, `consumers`), whose discovery document names the issuer as a template:
 * `https://login.microsoftonline.com/{tenantid}/v2.0`. Each ID token then carries its tenant in `tid`,
 * and its `iss` must be that template filled with that very `tid`; anything else is a token from
 * somewhere else. Single-tenant providers need none of this: their issuer is fixed.
 */

const entraHost = 'https://login.microsoftonline.com';
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The issuers that only make sense with `oauth2.microsoftMultiTenant`: the tenant-independent ones. */
export const entraMultiTenantIssuers: readonly string[] = ['common', 'organizations', 'consumers'].map((tenant) => `${entraHost}/${tenant}/v2.0`);

/**
 * The `iss` an Entra ID token must carry, computed from its own `tid` claim; undefined when `tid` is
 * missing or not a tenant id (lowercase GUID, as Entra writes it), in which case the token is refused.
 */
export function expectedEntraIssuer(idTokenClaims: Readonly<Record<string, unknown>>): string | undefined {
  const tid = idTokenClaims['tid'];
  if (typeof tid !== 'string' || !guid.test(tid)) return undefined;
  return `${entraHost}/${tid}/v2.0`;
}

/** Whether the ID token's `iss` is the one its `tid` calls for. */
export function isEntraIssuerValid(idTokenClaims: Readonly<Record<string, unknown>>): boolean {
  const expected = expectedEntraIssuer(idTokenClaims);
  return expected !== undefined && idTokenClaims['iss'] === expected;
}
