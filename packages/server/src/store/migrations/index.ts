import type { Migration, MigrationProvider } from 'kysely/migration';
import * as initial from './0001-initial.ts';
import * as applications from './0002-applications.ts';
import * as users from './0003-users.ts';
import * as registrationsAndSessions from './0004-registrations-and-sessions.ts';
import * as keys from './0005-keys.ts';
import * as applicationScopes from './0006-application-scopes.ts';
import * as userActions from './0007-user-actions.ts';
import * as passwordAndVerificationIds from './0008-password-and-verification-ids.ts';
import * as oauth from './0009-oauth.ts';
import * as entities from './0010-entities.ts';
import * as deviceCodes from './0011-device-codes.ts';
import * as clientRegistrations from './0012-client-registrations.ts';
import * as identityProviders from './0013-identity-providers.ts';
import * as identityProviderLinks from './0014-identity-provider-links.ts';
import * as federatedLogin from './0015-federated-login.ts';
import * as vault from './0016-vault.ts';
import * as events from './0017-events.ts';

/** Forward-only, in order. A migration that has shipped is never edited: add the next number. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-applications': applications,
  '0003-users': users,
  '0004-registrations-and-sessions': registrationsAndSessions,
  '0005-keys': keys,
  '0006-application-scopes': applicationScopes,
  '0007-user-actions': userActions,
  '0008-password-and-verification-ids': passwordAndVerificationIds,
  '0009-oauth': oauth,
  '0010-entities': entities,
  '0011-device-codes': deviceCodes,
  '0012-client-registrations': clientRegistrations,
  '0013-identity-providers': identityProviders,
  '0014-identity-provider-links': identityProviderLinks,
  '0015-federated-login': federatedLogin,
  '0016-vault': vault,
  '0017-events': events,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
