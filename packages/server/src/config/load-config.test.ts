import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateMasterKeySpec } from '../keys/key-ring.ts';
import { ConfigError, loadConfig } from './load-config.ts';

function rejects(env: Record<string, string>, variable: string, message: RegExp): void {
  assert.throws(() => loadConfig(env), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.variable, variable);
    assert.ok(error.message.startsWith(`${variable} `), error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('configuration', () => {
  it('falls back to the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 9011);
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.signingAlgorithm, 'ES256');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.bodyLimit, 1_048_576);
  });

  it('reads each variable and treats empty as unset', () => {
    const config = loadConfig({ GATEHOUSE_PORT: '8080', GATEHOUSE_HOST: '', GATEHOUSE_TRUST_PROXY: 'true' });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.trustProxy, true);
  });

  it('names the variable and the problem for a bad value', () => {
    rejects({ GATEHOUSE_PORT: 'eighty' }, 'GATEHOUSE_PORT', /must be a whole number, got "eighty"/);
    rejects({ GATEHOUSE_PORT: '70000' }, 'GATEHOUSE_PORT', /between 0 and 65535/);
    rejects({ GATEHOUSE_LOG_LEVEL: 'loud' }, 'GATEHOUSE_LOG_LEVEL', /must be one of fatal, error/);
    rejects({ GATEHOUSE_SIGNING_ALGORITHM: 'none' }, 'GATEHOUSE_SIGNING_ALGORITHM', /ES256, RS256, EdDSA/);
    rejects({ GATEHOUSE_TRUST_PROXY: 'yes' }, 'GATEHOUSE_TRUST_PROXY', /true or false/);
    rejects({ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL', /postgres:\/\//);
    rejects({ DATABASE_URL: 'postgres://127.0.0.1:5432' }, 'DATABASE_URL', /must name a database/);
    rejects({ GATEHOUSE_MASTER_KEY: 'k1:tooshort' }, 'GATEHOUSE_MASTER_KEY', /32 bytes in base64url/);
  });

  it('requires a master key with PostgreSQL', () => {
    rejects({ DATABASE_URL: 'postgres://127.0.0.1:5432/gatehouse' }, 'GATEHOUSE_MASTER_KEY', /required when DATABASE_URL/);
    const config = loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:5432/gatehouse', GATEHOUSE_MASTER_KEY: generateMasterKeySpec() });
    assert.equal(config.masterKey?.[0]?.id, 'k1');
  });
});
