import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestApp } from '../helpers/test-app.ts';

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new connections, then closes the store', async () => {
    const gatehouse = await createTestApp();
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    gatehouse.app.get('/slow', async () => {
      entered();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { finished: true };
    });
    const address = await gatehouse.app.listen({ host: '127.0.0.1', port: 0 });

    const inFlight = fetch(`${address}/slow`);
    await handlerEntered;
    const closing = gatehouse.close();

    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { finished: true });
    await closing;
    await assert.rejects(fetch(`${address}/api/status`), /fetch failed/);
    assert.equal(await gatehouse.store.ping(), false, 'the store is closed');
  });
});
