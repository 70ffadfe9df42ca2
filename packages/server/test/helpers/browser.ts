import assert from 'node:assert/strict';

/** One HTTP response as a browser would see it before following redirects. */
export interface BrowserResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | undefined;
  /** The raw Set-Cookie headers, for attribute checks. */
  readonly setCookies: readonly string[];
}

export type FormBody = Record<string, string> | ReadonlyArray<readonly [string, string]>;

/**
 * A minimal browser for the hosted pages: a cookie jar for one origin, `redirect: 'manual'` so every
 * redirect can be inspected, form posts as application/x-www-form-urlencoded.
 */
export class Browser {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request(pathOrUrl: string, init: { readonly method?: string; readonly form?: FormBody; readonly body?: string; readonly headers?: Record<string, string>; readonly cookies?: boolean } = {}): Promise<BrowserResponse> {
    const url = new URL(pathOrUrl, this.baseUrl);
    const headers: Record<string, string> = { ...init.headers };
    if (init.cookies !== false && this.cookies.size > 0 && url.origin === new URL(this.baseUrl).origin) {
      headers['cookie'] = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body = init.body;
    if (init.form !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(Array.isArray(init.form) ? (init.form as Array<[string, string]>) : Object.entries(init.form)).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    const setCookies = response.headers.getSetCookie();
    for (const cookie of setCookies) this.store(cookie);
    return { status: response.status, headers: response.headers, body: await response.text(), location: response.headers.get('location') ?? undefined, setCookies };
  }

  get(pathOrUrl: string): Promise<BrowserResponse> {
    return this.request(pathOrUrl);
  }

  post(pathOrUrl: string, form: FormBody, headers: Record<string, string> = {}): Promise<BrowserResponse> {
    return this.request(pathOrUrl, { method: 'POST', form, headers });
  }

  private store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';');
    const equals = pair.indexOf('=');
    const name = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || attributes.some((attribute) => /^\s*expires=.*1970/i.test(attribute));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#96;': '`' };

export function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39|#96);/g, (entity) => entities[entity]!);
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match === null ? undefined : unescapeHtml(match[1]!);
}

export interface ParsedForm {
  readonly action: string;
  readonly method: string;
  /** Every named input with a value (hidden fields, prefilled text), in document order. */
  readonly fields: Array<[string, string]>;
  /** The names of every input, including those without a value. */
  readonly inputs: Array<{ name: string; type: string; autocomplete: string | undefined }>;
}

/** The page's first form (or the one posting to `action`). */
export function parseForm(html: string, action?: string): ParsedForm {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const form = forms.find((candidate) => action === undefined || attribute(candidate[1]!, 'action') === action);
  assert.ok(form, `a form${action === undefined ? '' : ` posting to ${action}`} in:\n${html}`);
  const fields: Array<[string, string]> = [];
  const inputs: ParsedForm['inputs'] = [];
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/g)) {
    const name = attribute(input[1]!, 'name');
    if (name === undefined) continue;
    const type = attribute(input[1]!, 'type') ?? 'text';
    inputs.push({ name, type, autocomplete: attribute(input[1]!, 'autocomplete') });
    const value = attribute(input[1]!, 'value');
    if (value !== undefined && (type !== 'checkbox' || /\schecked\b/.test(input[1]!))) fields.push([name, value]);
  }
  return { action: attribute(form[1]!, 'action') ?? '', method: attribute(form[1]!, 'method') ?? 'get', fields, inputs };
}

/** The form's fields with some set (replaced if present, appended if not). */
export function withFields(fields: ReadonlyArray<readonly [string, string]>, changes: Record<string, string>): Array<[string, string]> {
  const out: Array<[string, string]> = fields.filter(([name]) => !(name in changes)).map(([name, value]) => [name, value]);
  for (const [name, value] of Object.entries(changes)) out.push([name, value]);
  return out;
}
