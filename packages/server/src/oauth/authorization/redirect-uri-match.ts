import { isRedirectUrl } from '../../tenancy/authorized-urls.ts';
import type { OAuthConfiguration } from '../../tenancy/application-settings.ts';

/**
 * Whether a redirect_uri (or post_logout_redirect_uri) may receive a response: byte-for-byte equal to a
 * registered URL (RFC 9700 §4.1.3; no normalisation of case, port, dots or encoding, REDIR-03), with two
 * relaxations: any port on a loopback IP registration (RFC 8252 §7.3, REDIR-06) and, under the
 * AllowWildcards policy, FusionAuth's wildcard rules with replacements that cannot change the host,
 * climb the path or add parameters (REDIR-08).
 */
export function redirectUriAllowed(configuration: Pick<OAuthConfiguration, 'authorizedRedirectURLs' | 'authorizedURLValidationPolicy'>, requested: string): boolean {
  if (!printableAscii.test(requested) || !isRedirectUrl(requested) || carriesResponseParameters(requested) || !httpAllowed(requested)) return false;
  const registered = configuration.authorizedRedirectURLs;
  if (registered.includes(requested)) return true;
  if (registered.some((url) => loopbackMatch(url, requested))) return true;
  if (configuration.authorizedURLValidationPolicy !== 'AllowWildcards') return false;
  return registered.some((url) => url.includes('*') && wildcardRegExp(url)?.test(requested) === true);
}

/** A redirect URI goes into a Location header as is: international characters must arrive percent-encoded. */
const printableAscii = /^[\x21-\x7e]+$/;

/** Names the authorization response itself sets: a redirect URI carrying them could forge a response (ORED-02). */
const responseParameters = new Set(['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'error_reason', 'id_token', 'access_token', 'token_type', 'expires_in', 'session_state', 'userState']);

function carriesResponseParameters(uri: string): boolean {
  const query = uri.indexOf('?');
  if (query < 0) return false;
  return uri
    .slice(query + 1)
    .split('&')
    .some((pair) => {
      try {
        return responseParameters.has(decodeURIComponent(pair.split('=')[0]!.replace(/\+/g, ' ')));
      } catch {
        return true;
      }
    });
}

const loopbackUri = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?(\/[^?#]*)?(\?[^#]*)?$/;

/** RFC 9700 §2.6 (REDIR-07): plain http only to this machine (loopback IPs and localhost), for native and development clients. */
export function httpAllowed(uri: string): boolean {
  if (!/^http:/i.test(uri)) return true;
  const host = /^http:\/\/(\[[^\]]*\]|[^/?#:]+)/i.exec(uri)?.[1]?.toLowerCase();
  return host === '127.0.0.1' || host === '[::1]' || host === 'localhost' || host?.endsWith('.localhost') === true;
}

/** Same loopback IP, path and query; the port is the client's to choose at request time. */
function loopbackMatch(registered: string, requested: string): boolean {
  const want = loopbackUri.exec(registered);
  if (want === null) return false;
  const got = loopbackUri.exec(requested);
  return got !== null && got[1] === want[1] && (got[3] ?? '') === (want[3] ?? '') && (got[4] ?? '') === (want[4] ?? '');
}

const wildcardPattern = /^(https?:\/\/)([^/?#:]+)(?::([^/?#]*))?(\/[^?#]*)?(?:\?([^#]*))?$/;

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A host label: never a dot, colon, slash or @, so the replacement stays inside the left-most label. */
const hostReplacement = '[A-Za-z0-9-]+';
/** Part of one path segment: no slash, no percent-encoding, and never a whole `.` or `..` segment. */
const pathReplacement = "(?!\\.{1,2}(?:[/?]|$))[A-Za-z0-9\\-._~!$'()+,;=:@]+";
/** A whole query value: no `&` (another parameter) and no `#`. */
const queryReplacement = '[^&#]+';

/**
 * FusionAuth's AllowWildcards rules as a regular expression over the raw request string: `*` in the
 * left-most host label, as the whole port, inside path segments and as whole query values. Everything
 * else must match literally (case included).
 */
export function wildcardRegExp(pattern: string): RegExp | undefined {
  const match = wildcardPattern.exec(pattern);
  if (match === null) return undefined;
  const [, scheme = '', host = '', port, path = '', query] = match;
  let source = `^${literal(scheme)}${host.split('*').map(literal).join(hostReplacement)}`;
  if (port !== undefined) source += `:${port === '*' ? '\\d{1,5}' : literal(port)}`;
  source += path.split('*').map(literal).join(pathReplacement);
  if (query !== undefined) source += `\\?${query.split('*').map(literal).join(queryReplacement)}`;
  return new RegExp(`${source}$`);
}
