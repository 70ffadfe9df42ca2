import { FieldErrors } from '../errors/api-error.ts';
import type { AuditLogEntry } from '../store/repositories/audit-log-repository.ts';
import { redactSecrets } from './redaction.ts';

/**
 * What the management API records about its own changes (FusionAuth's Audit Log): every successful
 * POST/PUT/PATCH/DELETE under /api but the ones below, with the caller, the resource and its old and new
 * values, secrets redacted (redaction.ts). Request bodies are never kept: the new value is the response,
 * which the API already strips of what it must not show twice.
 */

/**
 * Writes that are not changes of a managed resource, or whose bodies are credentials: sign-in, sign-out,
 * token endpoints, password workflows, the hub's token read, and the audit log's own manual entries.
 */
const excludedPrefixes = [
  '/api/login',
  '/api/logout',
  '/api/jwt',
  '/api/identity-provider/login',
  '/api/identity-provider/link/token',
  '/api/user/change-password',
  '/api/user/forgot-password',
  '/api/system/audit-log',
  '/api/system/event-log',
];

/** Route patterns (`/api/user/registration/:userId/...`, params dropped) whose name is not the path's words. */
const resourceNames: Record<string, string> = {
  'user/registration': 'registration',
  'user/action': 'action',
  'application/client-secret': 'application',
  'key/generate': 'key',
  'key/import': 'key',
};

const verbs: Record<string, string> = { POST: 'Created', PUT: 'Updated', PATCH: 'Updated', DELETE: 'Deleted' };

/** Whether a write reaching `routePattern` (Fastify's route url, with `:params`) is audited. */
export function isAudited(method: string, routePattern: string): boolean {
  if (verbs[method] === undefined || !routePattern.startsWith('/api/')) return false;
  const matches = (prefix: string) => routePattern === prefix || routePattern.startsWith(`${prefix}/`);
  if (excludedPrefixes.some(matches)) return false;
  // A search sent by POST (or PUT) reads; it changes nothing.
  return !routePattern.endsWith('/search');
}

/** The resource a route changes: `user`, `application-role`, `identity-provider-link`, `webhook`, ... */
export function resourceTypeOf(routePattern: string): string {
  const words = routePattern.replace(/^\/api\//, '').split('/').filter((part) => part !== '' && !part.startsWith(':'));
  return resourceNames[words.join('/')] ?? words.join('-');
}

export interface AuditedChange {
  readonly method: string;
  /** The request path without its query string (a query may carry secrets; ids are in the path). */
  readonly path: string;
  readonly routePattern: string;
  /** Path parameter values, in path order. */
  readonly params: readonly string[];
  /** The caller's API key id, when an API key authenticated the request. */
  readonly apiKeyId: string | undefined;
  /** The resource as a GET of it answered before the change (PUT, PATCH, DELETE), parsed JSON. */
  readonly oldValue?: unknown;
  /** The response body of the change, parsed JSON. */
  readonly newValue?: unknown;
  readonly instant: number;
}

/** Stored values larger than this (JSON characters) are replaced by a note: an audit row stays small. */
const maxValueLength = 256 * 1024;

/** insertUser, message and reason of a manual entry: text, not documents. */
const maxTextLength = 4096;

function bounded(value: unknown): unknown {
  if (value === undefined) return undefined;
  const safe = redactSecrets(value);
  return JSON.stringify(safe).length > maxValueLength ? '[too large to keep]' : safe;
}

/** The id of the first top-level member that is an object with a string `id` (`{"user": {"id": ...}}`). */
function embeddedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const member of Object.values(value)) {
    if (member !== null && typeof member === 'object' && typeof (member as { id?: unknown }).id === 'string') return (member as { id: string }).id;
  }
  return undefined;
}

/** The audit entry of one successful change: one row, secrets redacted, nothing from the request body. */
export function describeChange(change: AuditedChange): AuditLogEntry {
  const resourceType = resourceTypeOf(change.routePattern);
  // `/user/:userId` names the resource; `/application/:applicationId/role` names its parent, the response the role.
  const named = /\/:\w+$/.test(change.routePattern) ? change.params.at(-1) : undefined;
  const resourceId = named ?? embeddedId(change.newValue) ?? embeddedId(change.oldValue) ?? change.params.at(-1);
  const verb = change.routePattern.endsWith('/client-secret') ? 'Rotated the client secret of' : verbs[change.method] ?? 'Changed';
  const oldValue = bounded(change.oldValue);
  const newValue = bounded(change.newValue);
  return {
    insertInstant: change.instant,
    insertUser: change.apiKeyId === undefined ? undefined : `apiKey:${change.apiKeyId}`,
    message: `${verb} the ${resourceType.replaceAll('-', ' ')}${resourceId === undefined ? '' : ` with id [${resourceId}]`}`,
    data: {
      method: change.method,
      path: change.path,
      resourceType,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(oldValue === undefined ? {} : { oldValue }),
      ...(newValue === undefined ? {} : { newValue }),
    },
  };
}

/** A JSON body as text (or bytes), parsed; undefined when it is empty or not JSON. */
export function parseJsonBody(body: string | Buffer | undefined): unknown {
  if (body === undefined || body.length === 0) return undefined;
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * An entry added through POST /api/system/audit-log (`{auditLog: {insertUser, message, reason, data,
 * oldValue, newValue}}`): insertUser and message required, as in FusionAuth; redacted like the rest.
 */
export function manualEntry(input: unknown, instant: number): AuditLogEntry {
  const auditLog = (input ?? {}) as Record<string, unknown>;
  const errors = new FieldErrors();
  const text = (name: string, required: boolean): string | undefined => {
    const value = auditLog[name];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (required) errors.add(`auditLog.${name}`, 'blank', `You must specify the ${name}.`);
      return undefined;
    }
    if (typeof value !== 'string') errors.add(`auditLog.${name}`, 'invalid', `The ${name} must be a string.`);
    else if (value.length > maxTextLength) errors.add(`auditLog.${name}`, 'tooLong', `The ${name} is longer than ${maxTextLength} characters.`);
    return typeof value === 'string' ? value : undefined;
  };
  const insertUser = text('insertUser', true);
  const message = text('message', true);
  const reason = text('reason', false);
  const data = auditLog['data'];
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) errors.add('auditLog.data', 'invalid', 'The data must be an object.');
  errors.throwIfAny();
  const oldValue = bounded(auditLog['oldValue']);
  const newValue = bounded(auditLog['newValue']);
  const safeData = data === undefined || data === null ? {} : (redactSecrets(data) as Record<string, unknown>);
  return {
    insertInstant: instant,
    insertUser,
    message: message!,
    reason,
    data: { ...safeData, ...(oldValue === undefined ? {} : { oldValue }), ...(newValue === undefined ? {} : { newValue }) },
  };
}
