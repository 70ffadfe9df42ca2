/**
 * An upstream OpenID provider's discovery document (OpenID Connect Discovery 1.0), fetched through the
 * SSRF-guarded upstream client and cached per issuer (security checklist §3.5, SSRF-05).
 *
 * - The document lives at `<issuer>/.well-known/openid-configuration` (a trailing `/` of the issuer is
 *   dropped before appending, Discovery §4).
 * - Its `issuer` must equal the configured issuer exactly (Discovery §4.3). The one documented exception
 *   is Microsoft Entra's tenant-independent issuers (`common`, `organizations`, `consumers`), whose
 *   document names the template `https://login.microsoftonline.com/{tenantid}/v2.0`: accepted only when
 *   the caller says the provider is multi-tenant, and then each ID token's `iss` is checked against its
 *   own `tid` (microsoft-entra.ts).
 * - `authorization_endpoint`, `token_endpoint` and `jwks_uri` are required.
 * - Concurrent callers for one issuer share one fetch; a failed fetch is not cached.
 */
import { entraMultiTenantIssuers } from './microsoft-entra.ts';
import type { UpstreamHttp } from './upstream-http.ts';

export interface UpstreamProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly userinfo_endpoint?: string;
  readonly end_session_endpoint?: string;
  readonly authorization_response_iss_parameter_supported?: boolean;
  /** The whole document as the upstream served it. */
  readonly document: Readonly<Record<string, unknown>>;
}

export type UpstreamMetadataErrorReason = 'issuer_mismatch' | 'invalid_document';

/** The discovery document was fetched but cannot be used. Fetch failures stay `UpstreamError`s. */
export class UpstreamMetadataError extends Error {
  readonly reason: UpstreamMetadataErrorReason;
  readonly issuer: string;

  constructor(reason: UpstreamMetadataErrorReason, issuer: string, message: string) {
    super(`OpenID discovery for ${issuer}: ${message}`);
    this.name = 'UpstreamMetadataError';
    this.reason = reason;
    this.issuer = issuer;
  }
}

export interface UpstreamMetadataOptions {
  /** How long a fetched document is used before it is fetched again. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export interface MetadataRequestOptions {
  /** The provider is a Microsoft Entra multi-tenant one (`oauth2.microsoftMultiTenant`). */
  readonly multiTenant?: boolean;
}

export interface UpstreamMetadata {
  metadata(issuer: string, options?: MetadataRequestOptions): Promise<UpstreamProviderMetadata>;
}

const entraTenantTemplateIssuer = 'https://login.microsoftonline.com/{tenantid}/v2.0';

/** The URL of an issuer's discovery document. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;
}

/**
 * Whether a discovery document's `issuer` is acceptable for the configured one: exact string equality,
 * or the Entra `{tenantid}` template for a tenant-independent Entra issuer of a multi-tenant provider.
 */
export function isDiscoveredIssuerValid(configured: string, discovered: unknown, multiTenant: boolean): boolean {
  if (discovered === configured) return true;
  return multiTenant && entraMultiTenantIssuers.includes(configured) && discovered === entraTenantTemplateIssuer;
}

export function createUpstreamMetadata(http: UpstreamHttp, options: UpstreamMetadataOptions = {}): UpstreamMetadata {
  const { ttlMs = 300_000, now = Date.now } = options;
  const cache = new Map<string, { readonly value: UpstreamProviderMetadata; readonly expiresAt: number }>();
  const inFlight = new Map<string, Promise<UpstreamProviderMetadata>>();

  async function load(issuer: string, multiTenant: boolean): Promise<UpstreamProviderMetadata> {
    const { json } = await http.getJson(discoveryUrl(issuer));
    return parseDocument(issuer, json, multiTenant);
  }

  return {
    metadata(issuer, requestOptions = {}) {
      const multiTenant = requestOptions.multiTenant === true;
      const key = `${multiTenant ? 'mt' : 'st'} ${issuer}`;
      const cached = cache.get(key);
      if (cached !== undefined && cached.expiresAt > now()) return Promise.resolve(cached.value);
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const fetching = load(issuer, multiTenant)
        .then((value) => {
          cache.set(key, { value, expiresAt: now() + ttlMs });
          return value;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, fetching);
      return fetching;
    },
  };
}

function parseDocument(issuer: string, json: unknown, multiTenant: boolean): UpstreamProviderMetadata {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UpstreamMetadataError('invalid_document', issuer, 'the document is not a JSON object');
  }
  const document = json as Readonly<Record<string, unknown>>;
  if (!isDiscoveredIssuerValid(issuer, document['issuer'], multiTenant)) {
    throw new UpstreamMetadataError('issuer_mismatch', issuer, 'the document names another issuer');
  }
  const url = (name: string, required: boolean): string | undefined => {
    const value = document[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !isHttpUrl(value)) {
      throw new UpstreamMetadataError('invalid_document', issuer, `${name} is ${value === undefined ? 'missing' : 'not an http(s) URL'}`);
    }
    return value;
  };
  const authorizationEndpoint = url('authorization_endpoint', true) as string;
  const tokenEndpoint = url('token_endpoint', true) as string;
  const jwksUri = url('jwks_uri', true) as string;
  const userinfo = url('userinfo_endpoint', false);
  const endSession = url('end_session_endpoint', false);
  const issParameter = document['authorization_response_iss_parameter_supported'];
  return {
    issuer,
    authorization_endpoint: authorizationEndpoint,
    token_endpoint: tokenEndpoint,
    jwks_uri: jwksUri,
    ...(userinfo === undefined ? {} : { userinfo_endpoint: userinfo }),
    ...(endSession === undefined ? {} : { end_session_endpoint: endSession }),
    ...(issParameter === true ? { authorization_response_iss_parameter_supported: true } : {}),
    document,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
