import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Where clients reach this server, without a trailing slash: GATEHOUSE_PUBLIC_URL when set, else the
     * origin the request reached (behind a proxy, with GATEHOUSE_TRUST_PROXY, the forwarded one).
     */
    readonly baseUrl: string;
  }
}

export function registerBaseUrl(app: FastifyInstance, publicUrl: string | undefined): void {
  app.decorateRequest('baseUrl', {
    getter(this: { protocol: string; host: string }) {
      return publicUrl ?? `${this.protocol}://${this.host}`;
    },
  });
}
