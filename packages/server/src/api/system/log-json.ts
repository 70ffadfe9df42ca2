import type { AuditLogEntry } from '../../store/repositories/audit-log-repository.ts';
import type { EventLogEntry } from '../../store/repositories/event-log-repository.ts';

/**
 * FusionAuth's `auditLog` object: numeric id, and `oldValue`/`newValue` at the top level beside `data`
 * (the row keeps them inside `data`, the only JSON column).
 */
export function auditLogJson(entry: AuditLogEntry) {
  const { oldValue, newValue, ...data } = entry.data;
  return {
    id: Number(entry.id),
    insertInstant: entry.insertInstant,
    ...(entry.insertUser === undefined ? {} : { insertUser: entry.insertUser }),
    message: entry.message,
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    data,
    ...(oldValue === undefined ? {} : { oldValue }),
    ...(newValue === undefined ? {} : { newValue }),
  };
}

/** FusionAuth's `eventLog` object. */
export function eventLogJson(entry: EventLogEntry) {
  return { id: Number(entry.id), insertInstant: entry.insertInstant, message: entry.message, type: entry.type };
}

/**
 * The id in `/api/system/audit-log/{id}` and `/event-log/{id}`: a bigserial. Anything else names no entry
 * (404, as for an unknown id), checked here so the database never sees a value it cannot compare.
 */
export function logId(value: string): string | undefined {
  return /^[1-9]\d{0,17}$/.test(value) ? value : undefined;
}

export const searchBody = { type: 'object', properties: { search: { type: 'object' } } } as const;

/** The route's path parameter, declared (for the OpenAPI document) as text: logId decides what it names. */
export function logIdParams(name: string) {
  return { type: 'object', required: [name], properties: { [name]: { type: 'string', maxLength: 64 } } } as const;
}
