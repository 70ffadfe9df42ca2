import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { NewApiKey } from '../../tenancy/api-keys.ts';
import { KickstartError } from './kickstart-error.ts';
import { substituteVariables, type VariableScope } from './substitute-variables.ts';

export interface KickstartRequest {
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly tenantId: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A kickstart file as read from disk: includes inlined, variables resolved, not yet bound to a store. */
export interface KickstartFile {
  readonly variables: Readonly<Record<string, string>>;
  /** Turns the raw `apiKeys` and `requests` into values, once the built-in variables are known. */
  resolve(builtins: Readonly<Record<string, string>>): Promise<{ apiKeys: NewApiKey[]; requests: KickstartRequest[] }>;
}

/** Variables Gatehouse defines for every kickstart file, as FusionAuth does. */
export const kickstartBuiltins = ['FUSIONAUTH_TENANT_ID', 'FUSIONAUTH_DEFAULT_SIGNING_KEY_ID'] as const;

const methods = new Set(['POST', 'PUT', 'PATCH']);
const rawInclude = /^&\{([^}]+)\}$/;
const textInclude = /@\{([^}]+)\}/g;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KickstartError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KickstartError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Walks a JSON value: `&{file.json}` strings become that file's JSON, `@{file}` inside strings its text. */
async function expand(value: unknown, baseDir: string, scope: VariableScope, where: string): Promise<unknown> {
  if (typeof value === 'string') {
    const raw = rawInclude.exec(value);
    if (raw?.[1] !== undefined) {
      const path = resolve(baseDir, raw[1]);
      return expand(await readJson(path, 'kickstart include'), dirname(path), scope, `${where} (&{${raw[1]}})`);
    }
    const includes = [...value.matchAll(textInclude)];
    let text = value;
    for (const match of includes) {
      const path = resolve(baseDir, match[1] ?? '');
      const content = await readFile(path, 'utf8').catch(() => {
        throw new KickstartError(`${where} includes @{${match[1]}}, which cannot be read at ${path}`);
      });
      text = text.replace(match[0], () => content);
    }
    return substituteVariables(text, scope, where);
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((item, index) => expand(item, baseDir, scope, `${where}[${index}]`)));
  }
  if (isRecord(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, item]) => [key, await expand(item, baseDir, scope, `${where}.${key}`)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

function toApiKey(value: unknown, index: number): NewApiKey {
  if (!isRecord(value) || typeof value['key'] !== 'string' || value['key'] === '') {
    throw new KickstartError(`apiKeys[${index}] must be an object with a non-empty "key"`);
  }
  const permissions = isRecord(value['permissions']) && isRecord(value['permissions']['endpoints']) ? value['permissions']['endpoints'] : {};
  const metaData = isRecord(value['metaData']) && isRecord(value['metaData']['attributes']) ? value['metaData']['attributes'] : {};
  const description = typeof value['description'] === 'string' ? value['description'] : metaData['description'];
  const tenantId = typeof value['tenantId'] === 'string' ? value['tenantId'] : undefined;
  if (index === 0 && (tenantId !== undefined || Object.keys(permissions).length > 0)) {
    throw new KickstartError('apiKeys[0] runs the requests, so it must be global and unrestricted (no tenantId, no permissions)');
  }
  return {
    key: value['key'],
    description: typeof description === 'string' ? description : undefined,
    permissions: permissions as Record<string, string[]>,
    tenantId,
    keyManager: index === 0 ? true : value['keyManager'] === true,
  };
}

function toRequest(value: unknown, index: number): KickstartRequest {
  if (!isRecord(value)) throw new KickstartError(`requests[${index}] must be an object`);
  const method = typeof value['method'] === 'string' ? value['method'].toUpperCase() : '';
  const url = value['url'];
  if (!methods.has(method)) throw new KickstartError(`requests[${index}].method must be POST, PUT or PATCH`);
  if (typeof url !== 'string' || !url.startsWith('/api/')) throw new KickstartError(`requests[${index}].url must be an /api/ path`);
  return {
    method: method as KickstartRequest['method'],
    url,
    tenantId: typeof value['tenantId'] === 'string' ? value['tenantId'] : undefined,
    contentType: typeof value['contentType'] === 'string' ? value['contentType'] : undefined,
    body: value['body'],
  };
}

/** Reads and checks a kickstart file; resolves its `variables` section right away. */
export async function loadKickstartFile(path: string, env: Readonly<Record<string, string | undefined>>): Promise<KickstartFile> {
  const document = await readJson(path, 'kickstart file');
  if (!isRecord(document)) throw new KickstartError(`kickstart file ${path} must hold a JSON object`);
  const baseDir = dirname(path);

  const variables: Record<string, string> = {};
  const declared = document['variables'] ?? {};
  if (!isRecord(declared)) throw new KickstartError('"variables" must be an object of names to strings');
  for (const [name, raw] of Object.entries(declared)) {
    if (typeof raw !== 'string') throw new KickstartError(`variables.${name} must be a string`);
    // Resolved once: every use of a #{UUID()} variable sees the same value.
    variables[name] = substituteVariables(raw, { variables, env }, `variables.${name}`);
  }
  const apiKeys = document['apiKeys'];
  if (!Array.isArray(apiKeys) || apiKeys.length === 0) throw new KickstartError('"apiKeys" must list at least one key');
  const requests = document['requests'] ?? [];
  if (!Array.isArray(requests)) throw new KickstartError('"requests" must be an array');

  const file: KickstartFile = {
    variables,
    async resolve(builtins) {
      const scope = { variables: { ...builtins, ...variables }, env };
      const keys = (await expand(apiKeys, baseDir, scope, 'apiKeys')) as unknown[];
      const expanded = (await expand(requests, baseDir, scope, 'requests')) as unknown[];
      return { apiKeys: keys.map(toApiKey), requests: expanded.map(toRequest) };
    },
  };
  // A dry run with placeholder built-ins: a missing include, variable or environment variable is
  // reported now, before the store is touched.
  await file.resolve(Object.fromEntries(kickstartBuiltins.map((name) => [name, '00000000-0000-0000-0000-000000000000'])));
  return file;
}
