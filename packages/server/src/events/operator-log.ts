import type { EventLogEntry } from '../store/repositories/event-log-repository.ts';
import type { Store } from '../store/store.ts';

/**
 * Adds an entry to the operators' Event Log (FusionAuth's, GET /api/system/event-log/search) for things
 * that are no API change: key rotations, upstream refusals, webhook dead letters. The log is a report,
 * not part of the operation: a failed write is reported on `warn` (or as a process warning where the
 * caller has no logger) and never thrown. Messages name ids and reasons, never a token or a secret.
 */
export async function recordEventLog(store: Pick<Store, 'repositories'>, entry: EventLogEntry, warn?: (message: string) => void): Promise<void> {
  try {
    await store.repositories.eventLogs.insert(entry);
  } catch (error) {
    const message = `event log entry not written: ${error instanceof Error ? error.message : String(error)}`;
    if (warn === undefined) process.emitWarning(message);
    else warn(message);
  }
}
