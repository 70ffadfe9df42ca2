/**
 * A tiny browser stand-in for end-to-end federation tests: fetch with `redirect: 'manual'`, a cookie jar
 * per origin (host:port — stricter than a browser, which shares cookies across ports, so each server's
 * cookies stay its own), and redirects followed across hosts like a browser does, every hop recorded.
 * `stopAt` ends the walk before a URL is requested (an application's redirect URI nobody listens on).
 */

/** One response on the way: the URL requested, its status and where it pointed. */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location: string | undefined;
}

export interface AgentResult {
  /** The last URL requested, or the URL `stopAt` refused to request. */
  readonly finalUrl: URL;
  /** The last response received (a redirect's when `stopAt` stopped the walk); its body is unread. */
  readonly response: Response;
  readonly hops: readonly Hop[];
  /** True when `stopAt` ended the walk. */
  readonly stopped: boolean;
}

export interface AgentOptions {
  /** Called with each redirect target; true stops before requesting it. */
  readonly stopAt?: (url: URL) => boolean;
  /** Bound on redirects followed (default 15); exceeding it throws. */
  readonly maxHops?: number;
  readonly headers?: Record<string, string>;
}

export type FormFields = Record<string, string> | ReadonlyArray<readonly [string, string]>;

export interface ParsedForm {
  readonly action: URL;
  readonly method: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

export interface BrowserAgent {
  get(url: string | URL, options?: AgentOptions): Promise<AgentResult>;
  post(url: string | URL, form: FormFields, options?: AgentOptions): Promise<AgentResult>;
  /** Parses the first form of `html` (relative to `baseUrl`), applies `overrides` and submits it. */
  submitForm(html: string, baseUrl: string | URL, overrides?: Record<string, string>, options?: AgentOptions): Promise<AgentResult>;
  /** The cookies stored for an origin, name → value. */
  cookies(origin: string | URL): ReadonlyMap<string, string>;
}

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly expiresAt: number | undefined;
}

const redirects = new Set([301, 302, 303, 307, 308]);

export function createBrowserAgent(): BrowserAgent {
  const jars = new Map<string, StoredCookie[]>();

  const cookieHeader = (url: URL): string | undefined => {
    const now = Date.now();
    const matching = (jars.get(url.host) ?? [])
      .filter((cookie) => (cookie.expiresAt === undefined || cookie.expiresAt > now) && pathMatches(url.pathname, cookie.path))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? undefined : matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  };

  const store = (url: URL, header: string) => {
    const cookie = parseSetCookie(url, header);
    if (cookie === undefined) return;
    const jar = (jars.get(url.host) ?? []).filter((existing) => existing.name !== cookie.name || existing.path !== cookie.path);
    if (cookie.expiresAt === undefined || cookie.expiresAt > Date.now()) jar.push(cookie);
    jars.set(url.host, jar);
  };

  const walk = async (start: URL, method: string, body: string | undefined, options: AgentOptions): Promise<AgentResult> => {
    const maxHops = options.maxHops ?? 15;
    const hops: Hop[] = [];
    let url = start;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { ...options.headers };
      const cookie = cookieHeader(url);
      if (cookie !== undefined) headers['cookie'] = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const response = await fetch(url, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
      for (const header of response.headers.getSetCookie()) store(url, header);
      const location = response.headers.get('location') ?? undefined;
      hops.push({ url: url.href, status: response.status, location });
      if (!redirects.has(response.status) || location === undefined) return { finalUrl: url, response, hops, stopped: false };
      const next = new URL(location, url);
      if (options.stopAt?.(next) === true) return { finalUrl: next, response, hops, stopped: true };
      if (hop >= maxHops) throw new Error(`more than ${maxHops} redirects: ${hops.map((entry) => entry.url).join(' -> ')}`);
      await response.body?.cancel();
      // Browsers turn 303, and 301/302 after a POST, into a GET without a body; 307/308 replay the request.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  };

  const post = (url: string | URL, form: FormFields, options: AgentOptions = {}) =>
    walk(new URL(url), 'POST', new URLSearchParams(formEntries(form)).toString(), options);

  return {
    get: (url, options = {}) => walk(new URL(url), 'GET', undefined, options),
    post,
    submitForm: (html, baseUrl, overrides = {}, options = {}) => {
      const form = parseForm(html, baseUrl);
      const fields = [...form.fields.filter(([name]) => !(name in overrides)), ...Object.entries(overrides)];
      if (form.method === 'POST') return post(form.action, fields, options);
      const action = new URL(form.action);
      action.search = new URLSearchParams(formEntries(fields)).toString();
      return walk(action, 'GET', undefined, options);
    },
    cookies: (origin) => {
      const now = Date.now();
      const live = (jars.get(new URL(origin).host) ?? []).filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now);
      return new Map(live.map((cookie) => [cookie.name, cookie.value]));
    },
  };
}

/**
 * The first <form> of a page as a browser would submit it unclicked-but-for-the-first-button: hidden and
 * text inputs with their values, checked checkboxes, and the first named submit button. A regex parser
 * adequate for Gatehouse's own escaped markup (src/ui), not for arbitrary HTML.
 */
export function parseForm(html: string, baseUrl: string | URL): ParsedForm {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (match === null) throw new Error('no <form> in the page');
  const formAttributes = attributes(match[1] ?? '');
  const fields: Array<[string, string]> = [];
  let buttonTaken = false;
  for (const element of (match[2] ?? '').matchAll(/<(input|button)\b([^>]*)>/gi)) {
    const attrs = attributes(element[2] ?? '');
    const name = attrs.get('name');
    if (name === undefined || attrs.has('disabled')) continue;
    const type = (attrs.get('type') ?? (element[1]!.toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase();
    if (type === 'submit') {
      if (!buttonTaken) fields.push([name, attrs.get('value') ?? '']);
      buttonTaken = true;
    } else if (type === 'checkbox' || type === 'radio') {
      if (attrs.has('checked')) fields.push([name, attrs.get('value') ?? 'on']);
    } else {
      fields.push([name, attrs.get('value') ?? '']);
    }
  }
  return { action: new URL(formAttributes.get('action') ?? '', baseUrl), method: (formAttributes.get('method') ?? 'get').toUpperCase(), fields };
}

function formEntries(form: FormFields): Array<[string, string]> {
  return Array.isArray(form) ? (form as ReadonlyArray<readonly [string, string]>).map(([name, value]) => [name, value]) : Object.entries(form);
}

function attributes(source: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, doubleQuoted, singleQuoted, bare] of source.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    found.set(name!.toLowerCase(), decodeEntities(doubleQuoted ?? singleQuoted ?? bare ?? ''));
  }
  return found;
}

function decodeEntities(value: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, code: string) => {
    if (code.startsWith('#x') || code.startsWith('#X')) return String.fromCodePoint(Number.parseInt(code.slice(2), 16));
    if (code.startsWith('#')) return String.fromCodePoint(Number.parseInt(code.slice(1), 10));
    return named[code.toLowerCase()] ?? entity;
  });
}

/** RFC 6265 §5.2 reduced to what the tests need: name/value, Path, Max-Age and Expires. */
function parseSetCookie(url: URL, header: string): StoredCookie | undefined {
  const [pair = '', ...attributeParts] = header.split(';');
  const equals = pair.indexOf('=');
  if (equals <= 0) return undefined;
  let path = url.pathname.slice(0, Math.max(url.pathname.lastIndexOf('/'), 1)) || '/';
  let expiresAt: number | undefined;
  let maxAgeSeen = false;
  for (const part of attributeParts) {
    const [rawName = '', ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'path' && value.startsWith('/')) path = value;
    else if (name === 'max-age' && /^-?\d+$/.test(value)) {
      maxAgeSeen = true;
      expiresAt = Number(value) <= 0 ? 0 : Date.now() + Number(value) * 1000;
    } else if (name === 'expires' && !maxAgeSeen) {
      const parsed = Date.parse(value);
      if (!Number.isNaN(parsed)) expiresAt = parsed;
    }
  }
  return { name: pair.slice(0, equals).trim(), value: pair.slice(equals + 1).trim(), path, expiresAt };
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}
