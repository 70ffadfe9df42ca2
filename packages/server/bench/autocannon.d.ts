// autocannon ships no type declarations; this covers the part of its API the benchmark uses.
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called once per connection when it is created. */
    setupClient?: (client: { setBody(body: string): void; setHeaders(headers: Record<string, string>): void }) => void;
  }

  /** Percentile summary; latency values are milliseconds (whole ms: autocannon's histogram resolution). */
  interface AutocannonHistogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p1: number;
    p2_5: number;
    p10: number;
    p25: number;
    p50: number;
    p75: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  }

  interface AutocannonResult {
    url: string;
    connections: number;
    pipelining: number;
    /** Seconds the run actually lasted. */
    duration: number;
    start: Date;
    finish: Date;
    requests: AutocannonHistogram & { sent: number };
    latency: AutocannonHistogram;
    throughput: AutocannonHistogram;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
  }

  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export = autocannon;
}
