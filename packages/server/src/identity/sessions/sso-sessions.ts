import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Repositories } from '../../store/repositories/index.ts';
import type { SsoSession } from '../../store/repositories/sso-session-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';

/**
 * The hosted login's SSO session. The browser holds a 256-bit random token; the store holds only its
 * SHA-256, so a database read does not yield usable cookies. Idle expiry is the tenant's
 * httpSessionMaxInactiveInterval, slid forward as the session is used.
 */
export interface StartedSession {
  readonly session: SsoSession;
  /** The cookie value: handed to the browser once, never stored. */
  readonly token: string;
}

const tokenSyntax = /^[A-Za-z0-9_-]{43}$/;

/** Slides are written at most this often, so a busy session does not cost a write per request. */
const touchIntervalMillis = 60_000;

export function sessionTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function idleMillis(tenant: Tenant): number {
  return tenant.settings.httpSessionMaxInactiveInterval * 1000;
}

async function findByToken(repositories: Pick<Repositories, 'ssoSessions'>, token: string | undefined, now: number): Promise<SsoSession | undefined> {
  if (token === undefined || !tokenSyntax.test(token)) return undefined;
  return repositories.ssoSessions.findLive(sessionTokenHash(token), now);
}

/**
 * A new session for a user who just authenticated. The session the browser presented before (if any) is
 * deleted: the token always changes at login, so a value planted before login never becomes a session
 * (session fixation, UI-H-03).
 */
export async function startSsoSession(
  repositories: Pick<Repositories, 'ssoSessions'>,
  input: { readonly tenant: Tenant; readonly userId: string; readonly authenticationType: string; readonly previousToken: string | undefined },
  now: number,
): Promise<StartedSession> {
  const previous = await findByToken(repositories, input.previousToken, now);
  if (previous !== undefined) await repositories.ssoSessions.delete(previous.id);
  const token = randomBytes(32).toString('base64url');
  const session: SsoSession = {
    id: randomUUID(),
    tokenHash: sessionTokenHash(token),
    tenantId: input.tenant.id,
    userId: input.userId,
    authenticationType: input.authenticationType,
    authenticatedInstant: now,
    insertInstant: now,
    lastAccessInstant: now,
    expirationInstant: now + idleMillis(input.tenant),
  };
  await repositories.ssoSessions.insert(session);
  return { session, token };
}

/**
 * The live session a cookie names, for this tenant (a session of another tenant does not sign the user
 * in here). Using it slides its idle expiry.
 */
export async function liveSsoSession(repositories: Pick<Repositories, 'ssoSessions'>, token: string | undefined, tenant: Tenant, now: number): Promise<SsoSession | undefined> {
  const session = await findByToken(repositories, token, now);
  if (session === undefined || session.tenantId !== tenant.id) return undefined;
  if (now - session.lastAccessInstant < touchIntervalMillis) return session;
  const expirationInstant = now + idleMillis(tenant);
  await repositories.ssoSessions.touch(session.id, now, expirationInstant);
  return { ...session, lastAccessInstant: now, expirationInstant };
}

/** The live session a cookie names, in any tenant, without sliding it (logout). */
export function findSsoSession(repositories: Pick<Repositories, 'ssoSessions'>, token: string | undefined, now: number): Promise<SsoSession | undefined> {
  return findByToken(repositories, token, now);
}

/** Ends the session a cookie names; returns it when there was one. */
export async function endSsoSession(repositories: Pick<Repositories, 'ssoSessions'>, token: string | undefined, now: number): Promise<SsoSession | undefined> {
  const session = await findByToken(repositories, token, now);
  if (session !== undefined) await repositories.ssoSessions.delete(session.id);
  return session;
}
