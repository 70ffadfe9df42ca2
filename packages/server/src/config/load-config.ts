import { options, type Config } from './options.ts';

/** A configuration value that stops start-up: names the variable and what is wrong with it. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Reads every option from `env`; an empty string counts as unset. Throws ConfigError on the first bad value. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(options)) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      values[name] = spec.fallback;
      continue;
    }
    try {
      values[name] = spec.parse(raw);
    } catch (error) {
      throw new ConfigError(spec.env, (error as Error).message);
    }
  }
  const config = values as Config;
  if (config.databaseUrl !== undefined && config.masterKey === undefined) {
    throw new ConfigError(
      options.masterKey.env,
      'is required when DATABASE_URL selects PostgreSQL (every node of a cluster needs the same key ring); generate one with ./gatehouse generate-master-key',
    );
  }
  return config;
}
