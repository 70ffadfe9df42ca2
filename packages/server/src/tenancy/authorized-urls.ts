/**
 * The shapes FusionAuth accepts for an application's authorized redirect and origin URLs, checked when
 * the application is saved (matching a request against them is the OAuth endpoints' business).
 */

// The WHATWG parser silently trims and drops some of these; a configured URL must be exactly what it says.
const unsafeCharacters = /[\s\u0000-\u001f\u007f\\]/;
const refusedSchemes = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);
const httpUrl = /^https?:\/\//i;
// RFC 8252 §7.1: native apps use a private-use scheme, e.g. com.example.app:/callback or com.example.app://callback.
const nativeUri = /^[a-z][a-z0-9+.-]*:\//i;

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** An absolute http(s) URL with a host (and no user info), or a native-app URI; never a fragment (RFC 6749 §3.1.2). */
export function isRedirectUrl(value: string): boolean {
  if (unsafeCharacters.test(value) || value.includes('#')) return false;
  const parsed = parse(value);
  if (parsed === undefined || refusedSchemes.has(parsed.protocol)) return false;
  if (httpUrl.test(value)) return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
  return parsed.protocol !== 'http:' && parsed.protocol !== 'https:' && nativeUri.test(value);
}

/** An origin (scheme, host, port; at most a trailing slash), or a native-app URI as FusionAuth allows for apps. */
export function isOriginUrl(value: string): boolean {
  if (!isRedirectUrl(value)) return false;
  return !httpUrl.test(value) || /^https?:\/\/[^/?]+\/?$/i.test(value);
}

/** RFC 8707 §2: a resource indicator is an absolute URI without a fragment. */
export function isResourceUri(value: string): boolean {
  if (unsafeCharacters.test(value) || value.includes('#')) return false;
  const parsed = parse(value);
  return parsed !== undefined && !refusedSchemes.has(parsed.protocol);
}

/** An absolute http(s) URL with a host: for pages people open (device verification). */
export function isWebUrl(value: string): boolean {
  return httpUrl.test(value) && isRedirectUrl(value);
}

const wildcardUrl = /^(https?):\/\/([^/?#:]+)(?::([^/?#]*))?(\/[^?#]*)?(?:\?([^#]*))?$/i;

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

/** Domain: at most one wildcard, only in the left-most label, at least three labels, never an IP address. */
function validHost(host: string): boolean {
  const wildcards = count(host, '*');
  if (wildcards === 0) return true;
  const labels = host.split('.');
  if (wildcards > 1 || labels.length < 3 || !labels[0]?.includes('*')) return false;
  return !labels.slice(1).every((label) => /^\d+$/.test(label));
}

/** Port: a number, or a whole-port wildcard (no partial wildcards). */
function validPort(port: string | undefined): boolean {
  return port === undefined || port === '*' || /^\d{1,5}$/.test(port);
}

/** Path: at most one wildcard per segment, full or partial. */
function validPath(path: string): boolean {
  return path.split('/').every((segment) => count(segment, '*') <= 1);
}

/** Query: wildcards only as whole values, never in names. */
function validQuery(query: string | undefined): boolean {
  if (query === undefined) return true;
  return query.split('&').every((pair) => {
    const [name = '', ...rest] = pair.split('=');
    const value = rest.join('=');
    return !name.includes('*') && (!value.includes('*') || value === '*');
  });
}

/**
 * FusionAuth's wildcard rules (AllowWildcards policy): `*` may stand in the left-most domain label, the
 * whole port, path segments and whole query values. With every wildcard replaced by a sample, what
 * remains must be a valid URL of the same kind.
 */
export function isWildcardPattern(value: string, kind: 'redirect' | 'origin'): boolean {
  const plain = kind === 'origin' ? isOriginUrl : isRedirectUrl;
  if (!value.includes('*')) return plain(value);
  const match = wildcardUrl.exec(value);
  if (match === null || unsafeCharacters.test(value)) return false;
  const [, scheme = '', host = '', port, path = '', query] = match;
  if (kind === 'origin' && ((path !== '' && path !== '/') || query !== undefined)) return false;
  if (!validHost(host) || !validPort(port) || !validPath(path) || !validQuery(query)) return false;
  const sample = `${scheme}://${host.replace('*', 'x')}${port === undefined ? '' : `:${port.replace('*', '1')}`}${path.replaceAll('*', 'x')}${query === undefined ? '' : `?${query.replaceAll('*', 'x')}`}`;
  return plain(sample);
}
