import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from '../../errors/api-error.ts';
import { createApiKey } from '../../tenancy/api-keys.ts';
import type { Store } from '../../store/store.ts';
import { KickstartError } from './kickstart-error.ts';
import type { KickstartFile } from './kickstart-file.ts';

export interface KickstartRun {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly logger: Logger;
  readonly now: () => number;
  /** FUSIONAUTH_TENANT_ID and friends, usable as #{...} in the file. */
  readonly builtins: Readonly<Record<string, string>>;
}

/**
 * Creates the file's API keys in one transaction, then replays its requests in order through the
 * management API in-process, authenticated by the first key. The first failing request stops
 * everything with its index, method, URL and the API's answer.
 */
export async function runKickstart(file: KickstartFile, run: KickstartRun): Promise<void> {
  const { apiKeys, requests } = await file.resolve(run.builtins);
  try {
    await run.store.transaction(async (repositories) => {
      for (const key of apiKeys) await createApiKey(repositories, key, run.now());
    });
  } catch (error) {
    if (error instanceof ApiError) throw new KickstartError(`apiKeys could not be created: ${error.message}`);
    throw error;
  }
  const authorization = apiKeys[0]?.key ?? '';
  for (const [index, request] of requests.entries()) {
    const headers: Record<string, string> = {
      authorization,
      'content-type': request.contentType ?? 'application/json',
    };
    if (request.tenantId !== undefined) headers['x-fusionauth-tenantid'] = request.tenantId;
    const response = await run.app.inject({
      method: request.method,
      url: request.url,
      headers,
      payload: request.body === undefined ? '' : JSON.stringify(request.body),
    });
    if (response.statusCode < 200 || response.statusCode > 299) {
      const answer = response.body === '' ? '(empty body)' : response.body;
      throw new KickstartError(`requests[${index}] ${request.method} ${request.url} failed with ${response.statusCode}: ${answer}`);
    }
    run.logger.info({ index, method: request.method, url: request.url, statusCode: response.statusCode }, 'kickstart request done');
  }
}
