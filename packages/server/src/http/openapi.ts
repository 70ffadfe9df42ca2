import type { FastifyInstance } from 'fastify';

/** What an onRoute listener receives, reduced to what the document needs. */
interface RouteSeen {
  readonly method: string | string[];
  readonly url: string;
  readonly prefix: string;
  readonly schema?: unknown;
  readonly config?: unknown;
}

interface RouteSchema {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly hide?: boolean;
  readonly params?: JsonObjectSchema;
  readonly querystring?: JsonObjectSchema;
  readonly body?: unknown;
  readonly response?: Readonly<Record<string, unknown>>;
}

interface JsonObjectSchema {
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
}

/** How a route is reached: with the API key, optionally with it, or openly. */
type KeyPolicy = 'required' | 'optional' | 'none';

interface CollectedRoute {
  readonly method: string;
  readonly path: string;
  readonly schema: RouteSchema;
  readonly policy: KeyPolicy;
}

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  /**
   * The prefix of the plugin that authenticates with the API key: its routes need the key unless their
   * `config.apiKey` says `optional` or `none`. Routes elsewhere are open.
   */
  readonly apiKeyPrefix: string;
}

/** Fastify's `/key/:keyId` and `*` as OpenAPI path templates. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/\*$/, '{wildcard}');
}

function parameters(schema: JsonObjectSchema | undefined, where: 'path' | 'query') {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (schema?.required ?? []).includes(name),
    schema: property,
  }));
}

function security(policy: KeyPolicy) {
  if (policy === 'required') return [{ apiKey: [] }];
  // An empty requirement object means "or nothing" (OpenAPI 3.1 §4.8.10).
  return policy === 'optional' ? [{ apiKey: [] }, {}] : [];
}

/** A body schema per media type (Fastify's `content` map, as PATCH routes use) or one JSON schema. */
function requestContent(body: unknown): unknown {
  const content = (body as { content?: unknown }).content;
  return typeof content === 'object' && content !== null ? content : { 'application/json': { schema: body } };
}

function operation(route: CollectedRoute) {
  const { schema } = route;
  const responses: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(schema.response ?? {})) {
    responses[status] = { description: `${status} response`, content: { 'application/json': { schema: body } } };
  }
  if (Object.keys(responses).length === 0) responses['200'] = { description: 'Success' };
  if (route.policy === 'required') responses['401'] = { description: 'Missing, unknown, expired or not permitted API key (empty body)' };
  return {
    // `/api/user-action` and `/api/user/action` must not collide: a hyphen stays visible as `_`.
    operationId: `${route.method.toLowerCase()}${route.path.replace(/-/g, '_').replace(/[^A-Za-z0-9_]+(.)?/g, (_match, next?: string) => (next ?? '').toUpperCase())}`,
    ...(schema.summary === undefined ? {} : { summary: schema.summary }),
    ...(schema.description === undefined ? {} : { description: schema.description }),
    ...(schema.tags === undefined ? {} : { tags: schema.tags }),
    parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
    ...(schema.body === undefined ? {} : { requestBody: { required: true, content: requestContent(schema.body) } }),
    responses,
    security: security(route.policy),
  };
}

/**
 * Collects every route as it is registered (an onRoute hook on the root instance also sees the routes of
 * plugins registered later) and builds an OpenAPI 3.1 document from their JSON schemas. The document is
 * built once, on first use, when every route is known; the state lives in this instance, not the module,
 * so two apps in one process keep their own.
 */
export function registerOpenApiCollector(app: FastifyInstance, options: OpenApiOptions): { document(): string } {
  const routes: CollectedRoute[] = [];
  let document: string | undefined;

  app.addHook('onRoute', (route: RouteSeen) => {
    const schema = (route.schema ?? {}) as RouteSchema;
    if (schema.hide === true) return;
    const declared = (route.config as { apiKey?: KeyPolicy } | undefined)?.apiKey;
    const behindKey = route.prefix === options.apiKeyPrefix || route.prefix.startsWith(`${options.apiKeyPrefix}/`);
    const policy: KeyPolicy = behindKey ? (declared ?? 'required') : 'none';
    for (const method of [route.method].flat()) {
      // Fastify adds a HEAD twin to every GET; documenting the GET is enough.
      if (method === 'HEAD') continue;
      routes.push({ method, path: openApiPath(route.url), schema, policy });
    }
  });

  function build(): string {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
    return JSON.stringify({
      openapi: '3.1.0',
      info: { title: options.title, version: options.version },
      paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'The raw API key, no scheme (FusionAuth style).' },
        },
      },
    });
  }

  return {
    document() {
      document ??= build();
      return document;
    },
  };
}
