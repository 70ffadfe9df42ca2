import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import { parseOrderBy } from '../entities/order-by.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import { nameMatcher } from '../keys/key-search.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { Webhook, WebhookSettings } from '../store/repositories/webhook-repository.ts';
import { isWebUrl } from '../tenancy/authorized-urls.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import { eventTypes } from './event-catalogue.ts';
import { reservedHeaders, webhookSchema, webhookSearchSchema, type WebhookInput, type WebhookSearchCriteria } from './webhook-schema.ts';
import { webhookPassword, webhookPasswordContext } from './webhook-secrets.ts';

const root = 'webhook';
const validateSchema = createValidator<WebhookInput>(webhookSchema, root);
const validateCriteria = createValidator<WebhookSearchCriteria>(webhookSearchSchema, 'search');
const knownTypes: ReadonlySet<string> = new Set(eventTypes);
// RFC 9110 token; values: visible ASCII, Latin-1, spaces and tabs (fetch refuses the rest, and CR/LF would split the request).
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;

interface Validated {
  readonly url: string;
  readonly settings: WebhookSettings;
  readonly password: string | undefined;
}

function checkHeaders(input: WebhookInput, errors: FieldErrors): void {
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(input.headers)) {
    const lower = name.toLowerCase();
    if (!headerName.test(name) || !headerValue.test(value)) errors.add('webhook.headers', 'invalid', `The header [${name}] is not a valid HTTP header name and value (no CR or LF).`);
    else if (reservedHeaders.includes(lower)) errors.add('webhook.headers', 'invalid', `The header [${name}] is set by Gatehouse; it cannot be configured.`);
    else if (lower === 'authorization' && input.httpAuthenticationUsername !== undefined) errors.add('webhook.headers', 'invalid', 'An Authorization header cannot be combined with httpAuthenticationUsername.');
    else if (seen.has(lower)) errors.add('webhook.headers', 'invalid', `The header [${name}] is given twice.`);
    seen.add(lower);
  }
}

/**
 * Tenant ids are lowercased and deduplicated; each must name an existing tenant unless the webhook already
 * had it (so that a webhook whose tenant has gone can still be edited).
 */
async function checkTenants(repositories: Repositories, input: WebhookInput, previous: WebhookSettings | undefined, errors: FieldErrors): Promise<string[]> {
  const tenantIds = [...new Set(input.tenantIds.map((id) => id.toLowerCase()))];
  const unknown: string[] = [];
  for (const id of tenantIds) {
    if (previous?.tenantIds.includes(id) !== true && (await repositories.tenants.find(id)) === undefined) unknown.push(id);
  }
  if (unknown.length > 0) errors.add('webhook.tenantIds', 'invalid', `The tenant(s) [${unknown.join(', ')}] do not exist.`);
  return tenantIds;
}

/** With signing enabled, the key must be a Key Master key that can sign (it has a private part or an HMAC secret). */
async function checkSignature(repositories: Repositories, input: WebhookInput, errors: FieldErrors): Promise<WebhookSettings['signatureConfiguration']> {
  const { enabled, signingKeyId } = input.signatureConfiguration;
  const keyId = signingKeyId?.toLowerCase();
  if (enabled && keyId === undefined) errors.add('webhook.signatureConfiguration.signingKeyId', 'missing', 'With signatureConfiguration.enabled, a signingKeyId is required.');
  if (enabled && keyId !== undefined && (await repositories.signingKeys.find(keyId))?.privateSealed === undefined) {
    errors.add('webhook.signatureConfiguration.signingKeyId', 'invalid', 'No key with this id can sign.');
  }
  return { enabled, ...(keyId === undefined ? {} : { signingKeyId: keyId }) };
}

/** Checks a `webhook` body: the schema, then the rules it cannot say. */
async function validateWebhook(repositories: Repositories, body: unknown, previous?: Webhook): Promise<Validated> {
  const input = validateSchema(body);
  const errors = new FieldErrors();
  const url = input.url?.trim() ?? '';
  if (url === '') errors.add('webhook.url', 'blank', 'The webhook needs a URL.');
  else if (!isWebUrl(url)) errors.add('webhook.url', 'invalid', 'The URL must be an absolute http or https URL.');
  const unknownTypes = Object.keys(input.eventsEnabled).filter((type) => !knownTypes.has(type));
  if (unknownTypes.length > 0) errors.add('webhook.eventsEnabled', 'invalid', `Unknown event type(s) [${unknownTypes.join(', ')}]; see docs/events.md.`);
  for (const member of ['connectTimeout', 'readTimeout'] as const) {
    if (!(input[member] > 0)) errors.add(`webhook.${member}`, 'invalid', `${member} must be greater than 0 (milliseconds).`);
  }
  checkHeaders(input, errors);
  if (input.httpAuthenticationUsername?.includes(':') === true) errors.add('webhook.httpAuthenticationUsername', 'invalid', 'An HTTP Basic user name cannot contain a colon.');
  for (const member of ['sslCertificate', 'sslCertificateKeyId'] as const) {
    if ((input[member] ?? '') !== '') errors.add(`webhook.${member}`, 'invalid', `${member} is not supported: Gatehouse verifies receivers against the system's certificate authorities.`);
  }
  const tenantIds = await checkTenants(repositories, input, previous?.settings, errors);
  const signatureConfiguration = await checkSignature(repositories, input, errors);
  errors.throwIfAny();
  const description = input.description?.trim() ?? '';
  const username = input.httpAuthenticationUsername ?? '';
  const password = input.httpAuthenticationPassword ?? '';
  const settings: WebhookSettings = {
    ...(description === '' ? {} : { description }),
    eventsEnabled: input.eventsEnabled,
    global: input.global,
    tenantIds,
    headers: input.headers,
    connectTimeout: input.connectTimeout,
    readTimeout: input.readTimeout,
    signatureConfiguration,
    ...(username === '' ? {} : { httpAuthenticationUsername: username }),
    data: input.data,
  };
  return { url, settings, password: password === '' ? undefined : password };
}

function toWebhook(keyRing: KeyRing, id: string, valid: Validated, insertInstant: number, now: number): Webhook {
  return {
    id,
    url: valid.url,
    settings: valid.settings,
    httpAuthenticationPasswordSealed: valid.password === undefined ? undefined : keyRing.seal(valid.password, webhookPasswordContext(id)),
    insertInstant,
    lastUpdateInstant: now,
  };
}

/** FusionAuth's webhook object. The HTTP Basic password is returned, as FusionAuth does (never logged). */
export function webhookView(keyRing: KeyRing, webhook: Webhook): Record<string, unknown> {
  const password = webhookPassword(keyRing, webhook);
  return {
    id: webhook.id,
    url: webhook.url,
    ...webhook.settings,
    ...(password === undefined ? {} : { httpAuthenticationPassword: password }),
    insertInstant: webhook.insertInstant,
    lastUpdateInstant: webhook.lastUpdateInstant,
  };
}

/** POST /api/webhook[/{id}]: the URL's id wins, else a random one. */
export async function createWebhook(repositories: Repositories, keyRing: KeyRing, id: string | undefined, body: unknown, now: number): Promise<Webhook> {
  const webhookId = id ?? randomUUID();
  if ((await repositories.webhooks.find(webhookId)) !== undefined) throw ApiError.field('webhookId', 'duplicate', 'A webhook with this id already exists.');
  const webhook = toWebhook(keyRing, webhookId, await validateWebhook(repositories, body), now, now);
  await repositories.webhooks.insert(webhook);
  return webhook;
}

/** PUT replaces; PATCH merges (RFC 7396) or applies a JSON Patch to the current object (password included) first. */
export async function updateWebhook(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string; readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<Webhook | undefined> {
  const existing = await repositories.webhooks.find(request.id);
  if (existing === undefined) return undefined;
  const body = updatedBody(request.mode, webhookView(keyRing, existing), request.body, root);
  const webhook = toWebhook(keyRing, existing.id, await validateWebhook(repositories, body, existing), existing.insertInstant, now);
  return (await repositories.webhooks.update(webhook)) ? webhook : undefined;
}

const sortable = {
  url: (webhook: Webhook) => webhook.url.toLowerCase(),
  description: (webhook: Webhook) => (webhook.settings.description ?? '').toLowerCase(),
  insertInstant: (webhook: Webhook) => webhook.insertInstant,
  lastUpdateInstant: (webhook: Webhook) => webhook.lastUpdateInstant,
} as const;

/**
 * POST|GET /api/webhook/search: webhooks whose url and description match (FusionAuth's match: any case,
 * `*` a wildcard, no `*` means "contains") and that receive `tenantId`'s events (global ones, or naming
 * it), ordered by `orderBy` (default `url ASC`). Webhooks are few: filtered in memory.
 */
export async function searchWebhooks(repositories: Pick<Repositories, 'webhooks'>, input: unknown): Promise<{ webhooks: Webhook[]; total: number }> {
  const criteria = validateCriteria(input);
  const order = parseOrderBy(criteria.orderBy, Object.keys(sortable) as (keyof typeof sortable)[], 'url ASC');
  const url = criteria.url === undefined ? () => true : nameMatcher(criteria.url);
  const description = criteria.description === undefined ? () => true : nameMatcher(criteria.description);
  const tenantId = criteria.tenantId?.toLowerCase();
  const found = (await repositories.webhooks.list()).filter(
    (webhook) => url(webhook.url) && description(webhook.settings.description ?? '') && (tenantId === undefined || webhook.settings.global || webhook.settings.tenantIds.includes(tenantId)),
  );
  found.sort((a, b) => {
    for (const term of order) {
      const [x, y] = [sortable[term.field](a), sortable[term.field](b)];
      if (x !== y) return (x < y ? -1 : 1) * (term.descending ? -1 : 1);
    }
    return a.id < b.id ? -1 : 1;
  });
  return { webhooks: found.slice(criteria.startRow, criteria.startRow + criteria.numberOfResults), total: found.length };
}
