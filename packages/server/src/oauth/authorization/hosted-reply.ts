import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { AuthorizationResponse } from './authorization-response.ts';
import type { HostedPages, RenderedPage } from './hosted-pages.ts';

/**
 * How hosted pages and authorization responses go on the wire: never cached, never framed (UI-H-01)
 * unless the application lists the embedding origins in authorizedOriginURLs (FusionAuth), no referrer
 * (RESP-06), and a Content-Security-Policy that allows only the page's own stylesheet, its hashed inline
 * style and script, and form posts to this server and to where the form's answer redirects.
 */
export interface PageOptions {
  readonly status?: number | undefined;
  /** The application the page is shown for: its authorizedOriginURLs may frame it. */
  readonly application?: Application | undefined;
  /** URLs a form on the page ends up at through a redirect (browsers apply form-action to redirects too). */
  readonly formTargets?: readonly string[];
}

const originSource = /^(https?:\/\/(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::(?:\d{1,5}|\*))?)\/?$/;

/** The application's authorized origins as CSP frame-ancestors sources; entries CSP cannot express are left out. */
function frameAncestors(application: Application | undefined): string[] {
  const origins = application?.settings.oauthConfiguration.authorizedOriginURLs ?? [];
  return origins.flatMap((origin) => {
    const match = originSource.exec(origin);
    return match === null ? [] : [match[1]!];
  });
}

/** A CSP source for where a URL points: its origin, or its scheme for native-app URIs; undefined if CSP cannot say it (IPv6 literals). */
function formActionSource(url: string): string | undefined {
  const web = /^(https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?)(?:[/?#]|$)/i.exec(url);
  if (web !== null) return web[1]!;
  if (/^https?:/i.test(url)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return scheme === null ? undefined : `${scheme[1]!}:`;
}

function contentSecurityPolicy(page: RenderedPage, ancestors: readonly string[], formTargets: readonly string[]): string {
  const targets = formTargets.map(formActionSource);
  const directives = [
    "default-src 'none'",
    `style-src 'self' ${page.styleHashes.join(' ')}`.trim(),
    ...(page.scriptHashes.length === 0 ? [] : [`script-src ${page.scriptHashes.join(' ')}`]),
    // A target CSP cannot express means no form-action at all rather than a broken form.
    ...(targets.includes(undefined) ? [] : [`form-action 'self' ${[...new Set(targets)].join(' ')}`.trim()]),
    `frame-ancestors ${ancestors.length === 0 ? "'none'" : ancestors.join(' ')}`,
    "base-uri 'none'",
  ];
  return directives.join('; ');
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

export function sendPage(reply: FastifyReply, page: RenderedPage, options: PageOptions = {}): FastifyReply {
  const ancestors = frameAncestors(options.application);
  noStore(reply)
    .code(options.status ?? 200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy(page, ancestors, options.formTargets ?? []))
    .header('referrer-policy', 'no-referrer');
  if (ancestors.length === 0) reply.header('x-frame-options', 'DENY');
  else reply.removeHeader('x-frame-options');
  return reply.send(page.body);
}

/**
 * A redirect answers a GET with 302 and a POST (login, consent, form-posted authorization) with 303, so
 * the browser never re-posts the credentials to the client (RFC 9700 §4.12, RESP-05). form_post renders
 * the auto-submitting form (RESP-04).
 */
export function sendAuthorizationResponse(request: FastifyRequest, reply: FastifyReply, pages: HostedPages, response: AuthorizationResponse, application: Application): FastifyReply {
  if (response.kind === 'form_post') {
    const page = pages.formPost({ tenantId: application.tenantId, action: response.action, fields: response.fields });
    return sendPage(reply, page, { application, formTargets: [response.action] });
  }
  return redirect(request, reply, response.location);
}

export function redirect(request: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  return noStore(reply).header('referrer-policy', 'no-referrer').redirect(location, request.method === 'GET' || request.method === 'HEAD' ? 302 : 303);
}
