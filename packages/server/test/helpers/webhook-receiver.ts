/**
 * A real webhook receiver on 127.0.0.1 (node:http): records every request with its headers and exact raw
 * body, and can be told to misbehave the ways receivers do — answer 500 to the next N requests, hold
 * requests without answering (a hung receiver), hold each request briefly before answering (so that two
 * overlapping deliveries of one event would show), or be down altogether (its port closed; `up()` opens
 * the same port again).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** `X-Gatehouse-Event-Id`. */
  readonly eventId: string | undefined;
  /** The parsed body (`{"event": ...}`). */
  readonly body: any;
  /** The status this receiver answered, or undefined while it holds the request (or never answered). */
  status: number | undefined;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests being answered right now (held or delayed); the most at once so far. */
  readonly inFlight: { now: number; most: number };
  /** Requests of one event id, in arrival order. */
  forEvent(eventId: string): ReceivedRequest[];
  /** The next `count` requests get 500. */
  failNext(count: number): void;
  /** From now on, requests are held unanswered until `release()` (or the client gives up). */
  hang(): void;
  /** Answers every held request with 200 and stops holding new ones. */
  release(): void;
  /** Each request is answered (200) only after `ms`: overlapping deliveries become visible in `inFlight.most`. */
  delayEach(ms: number): void;
  /** Closes the port (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Resolves once `predicate` holds for the recorded requests; rejects after `timeoutMs`. */
  waitFor(predicate: (requests: readonly ReceivedRequest[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts a receiver on a free 127.0.0.1 port; webhooks post to `url` (path /hook). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const inFlight = { now: 0, most: 0 };
  const held = new Set<ServerResponse>();
  const changed = new Set<() => void>();
  let failures = 0;
  let hanging = false;
  let delayMs = 0;

  const notify = () => {
    for (const listener of [...changed]) listener();
  };

  function answer(record: ReceivedRequest, response: ServerResponse, status: number): void {
    if (response.writableEnded || response.destroyed) return;
    record.status = status;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'failing');
    notify();
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        body = undefined;
      }
      const eventId = request.headers['x-gatehouse-event-id'];
      const record: ReceivedRequest = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, rawBody, eventId: typeof eventId === 'string' ? eventId : undefined, body, status: undefined };
      requests.push(record);
      inFlight.now += 1;
      inFlight.most = Math.max(inFlight.most, inFlight.now);
      response.on('close', () => {
        inFlight.now -= 1;
        held.delete(response);
        notify();
      });
      notify();
      if (failures > 0) {
        failures -= 1;
        answer(record, response, 500);
      } else if (hanging) {
        held.add(response);
        (response as ServerResponse & { record?: ReceivedRequest }).record = record;
      } else if (delayMs > 0) {
        setTimeout(() => answer(record, response, 200), delayMs);
      } else {
        answer(record, response, 200);
      }
    });
  }

  let server = createServer(handle);
  const port = await listen(server, 0);

  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    inFlight,
    forEvent: (eventId) => requests.filter((request) => request.eventId === eventId),
    failNext(count) {
      failures = count;
    },
    hang() {
      hanging = true;
    },
    release() {
      hanging = false;
      for (const response of [...held]) answer((response as ServerResponse & { record: ReceivedRequest }).record, response, 200);
      held.clear();
    },
    delayEach(ms) {
      delayMs = ms;
    },
    async down() {
      if (server.listening) await closeServer(server);
    },
    async up() {
      if (server.listening) return;
      server = createServer(handle);
      await listen(server, port);
    },
    waitFor(predicate, timeoutMs = 10_000, what = 'the expected webhook requests') {
      if (predicate(requests)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(requests)) return;
          clearTimeout(timer);
          changed.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          changed.delete(check);
          reject(new Error(`${what} did not arrive within ${timeoutMs} ms (${requests.length} requests, the last ones: ${requests.slice(-10).map((request) => `${request.eventId}→${request.status}`).join(', ')})`));
        }, timeoutMs);
        changed.add(check);
      });
    },
    async close() {
      hanging = false;
      delayMs = 0;
      held.clear();
      if (server.listening) await closeServer(server);
    },
  };
}
