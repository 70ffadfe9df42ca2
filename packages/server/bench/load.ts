/**
 * One autocannon run in its own process, so the load generator's event loop and GC share nothing with
 * the benchmark driver. Usage: node bench/load.ts '<LoadSpec as JSON>'; prints one JSON line (LoadOutput).
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly pipelining: number;
  readonly durationSec: number;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** One body per connection (connection i sends bodies[i % length]), e.g. a refresh token per simulated client. */
  readonly bodies?: readonly string[];
}

export interface LoadOutput {
  readonly requests: number;
  readonly durationSec: number;
  readonly reqPerSec: number;
  /** autocannon's own figure: the mean of its per-second samples. */
  readonly reqPerSecAutocannon: number;
  /** Milliseconds, whole-ms resolution. */
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** CPU seconds (user + system) this load-generator process used, start-up included. */
  readonly loaderCpuSec: number;
}

function bodyPerConnection(bodies: readonly string[]): (client: { setBody(body: string): void }) => void {
  let next = 0;
  return (client) => {
    client.setBody(bodies[next % bodies.length] ?? '');
    next += 1;
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: spec.pipelining,
    duration: spec.durationSec,
    timeout: 10,
    ...(spec.method === undefined ? {} : { method: spec.method }),
    ...(spec.headers === undefined ? {} : { headers: { ...spec.headers } }),
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.bodies === undefined || spec.bodies.length === 0 ? {} : { setupClient: bodyPerConnection(spec.bodies) }),
  });
  const cpu = process.cpuUsage();
  const output: LoadOutput = {
    requests: result['2xx'] + result.non2xx,
    durationSec: result.duration,
    reqPerSec: (result['2xx'] + result.non2xx) / result.duration,
    reqPerSecAutocannon: result.requests.average,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    loaderCpuSec: (cpu.user + cpu.system) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}
