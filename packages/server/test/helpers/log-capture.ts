import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/http/logger.ts';

export interface LogCapture {
  readonly logger: Logger;
  /** Everything logged so far, one JSON line per entry. */
  text(): string;
  entries(): Array<Record<string, unknown>>;
}

/** A real Gatehouse logger (same redaction as production) writing into memory. */
export function captureLogs(level = 'trace'): LogCapture {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger(level, sink);
  return {
    logger,
    text: () => lines.join(''),
    entries: () => lines.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
