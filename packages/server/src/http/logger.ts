import pino, { type DestinationStream, type Logger } from 'pino';

/** Query and form parameters whose values never reach a log line. */
const secretParameters = new Set([
  'code', 'code_verifier', 'client_secret', 'client_assertion', 'password', 'token', 'access_token',
  'refresh_token', 'id_token', 'id_token_hint', 'device_code', 'user_code', 'subject_token', 'actor_token',
  'assertion', 'state', 'nonce', 'key', 'secret', 'logout_token', 'request', 'dpop',
]);

/** Field names that are censored wherever a log object carries them at its top level. */
const secretFields = [
  'password', 'secret', 'clientSecret', 'client_secret', 'token', 'accessToken', 'access_token', 'refreshToken',
  'refresh_token', 'idToken', 'id_token', 'key', 'apiKey', 'code_verifier', 'body',
];

/**
 * Paths inside log objects that are always censored: credential headers, bodies, anything named like a
 * secret. Explicit paths only: a leading wildcard (`*.password`) makes pino redact every per-request
 * child logger's bindings, which cost ~20 % of the throughput of the cheapest endpoints. The request
 * serializer below already whitelists what a request contributes to a line.
 */
const redactPaths = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers.dpop', 'req.headers["x-fusionauth-api-key"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'headers.dpop',
  ...secretFields,
  ...secretFields.map((field) => `err.${field}`),
];

/** The URL with the values of secret-bearing parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (secretParameters.has(name.toLowerCase())) {
      params.set(name, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, query)}?${params.toString()}` : url;
}

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
  id?: string;
}

/** Creates the process logger. Tests pass a destination to read what was logged. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      req(request: LoggedRequest) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip, id: request.id };
      },
      err: pino.stdSerializers.err,
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
