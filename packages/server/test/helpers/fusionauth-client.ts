import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import type { ApiErrorBody } from '../../src/errors/api-error.ts';
import type { TestApp } from './test-app.ts';

/**
 * Puts the test app on a real 127.0.0.1 port and returns FusionAuth's own published client pointed at
 * it: the management API is proven wire-compatible by driving it exactly as FusionAuth users do.
 */
export async function serveWithClient(gatehouse: TestApp): Promise<{ client: FusionAuthClient; baseUrl: string; clientFor(apiKey: string, tenantId?: string): FusionAuthClient }> {
  const baseUrl = await gatehouse.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    client: new FusionAuthClient(gatehouse.apiKey, baseUrl),
    baseUrl,
    clientFor: (apiKey, tenantId) => new FusionAuthClient(apiKey, baseUrl, tenantId),
  };
}

/** Asserts the client call failed with `status`; returns the error body (undefined when empty). */
export async function expectStatus(call: Promise<unknown>, status: number): Promise<ApiErrorBody | undefined> {
  try {
    await call;
  } catch (failure) {
    const response = failure as { statusCode?: number; exception?: unknown };
    assert.equal(response.statusCode, status, `expected ${status}, got ${response.statusCode}: ${JSON.stringify(response.exception)}`);
    return response.exception as ApiErrorBody | undefined;
  }
  assert.fail(`expected the call to fail with ${status}, but it succeeded`);
}

/** The error codes of a FusionAuth error body, field and general, in one flat list. */
export function errorCodes(body: ApiErrorBody | undefined): string[] {
  const fields = Object.values(body?.fieldErrors ?? {}).flat().map((item) => item.code);
  return [...fields, ...(body?.generalErrors ?? []).map((item) => item.code)];
}
