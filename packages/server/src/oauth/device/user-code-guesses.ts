import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cookieNames } from '../authorization/cookies.ts';

/**
 * Brute-force protection of user codes (DEV-05): wrong codes are counted per browser (its CSRF cookie,
 * which every verification form needs) and per client IP, on the verification page and the validate
 * endpoint alike; over either limit every lookup is refused — the right code too — until the window
 * passes. With FusionAuth's default 6 characters of 28 that leaves a guesser about 20 tries a minute
 * against ~4.8e8 codes. Counters live in this process's memory (@fastify/rate-limit's local store), like
 * the login throttle: safe to lose; each node of a cluster counts for itself.
 */
export const userCodeRateLimits = {
  perBrowser: { max: 5, timeWindowMillis: 60_000 },
  perIp: { max: 20, timeWindowMillis: 60_000 },
} as const;

export interface UserCodeGuesses {
  /** Seconds until a code may be tried again, when this browser or IP is over its limit. */
  retryAfter(request: FastifyRequest): Promise<number | undefined>;
  /** Counts a wrong (unknown, expired or used) code. */
  countWrong(request: FastifyRequest): Promise<void>;
}

/** The browser's key: a digest of its CSRF secret (the secret itself is not kept); undefined without one. */
function browserKey(request: FastifyRequest): string | undefined {
  const secret = request.cookies[cookieNames(request).csrf];
  return secret === undefined ? undefined : createHash('sha256').update(secret).digest('base64url');
}

export function createUserCodeGuesses(app: FastifyInstance): UserCodeGuesses {
  const perIp = app.createRateLimit({
    max: userCodeRateLimits.perIp.max,
    timeWindow: userCodeRateLimits.perIp.timeWindowMillis,
    keyGenerator: (request) => `user-code-ip:${request.ip}`,
  });
  const perBrowser = app.createRateLimit({
    max: userCodeRateLimits.perBrowser.max,
    timeWindow: userCodeRateLimits.perBrowser.timeWindowMillis,
    keyGenerator: (request) => `user-code-browser:${browserKey(request) ?? ''}`,
  });
  const limiters = (request: FastifyRequest) => (browserKey(request) === undefined ? [perIp] : [perIp, perBrowser]);

  return {
    async retryAfter(request) {
      for (const limiter of limiters(request)) {
        // Read without counting: only wrong codes count.
        const state = await limiter(request, { increment: false });
        if (!state.isAllowed && state.remaining <= 0) return Math.max(1, state.ttlInSeconds);
      }
      return undefined;
    },
    async countWrong(request) {
      for (const limiter of limiters(request)) await limiter(request);
    },
  };
}
