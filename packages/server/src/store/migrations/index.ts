import type { Migration, MigrationProvider } from 'kysely/migration';
import * as initial from './0001-initial.ts';

/** Forward-only, in order. A migration that has shipped is never edited: add the next number. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
