import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** The one stylesheet of the hosted pages; colours come from the theme's custom properties. */
const css = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:var(--gh-background);color:var(--gh-text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:26rem;margin:1rem;padding:2rem;background:var(--gh-card);border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12),0 8px 24px rgba(0,0,0,.06)}
.brand{margin:0 0 .25rem;color:var(--gh-muted);font-size:.875rem;letter-spacing:.04em;text-transform:uppercase}
h1{margin:0 0 1.25rem;font-size:1.5rem;line-height:1.25}
p{margin:0 0 1rem}
label{display:block;margin:0 0 .25rem;font-weight:600;font-size:.9375rem}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;margin:0 0 1rem;padding:.625rem .75rem;border:1px solid #c6cbd4;border-radius:.375rem;font:inherit;color:inherit;background:#fff}
input:focus,button:focus{outline:2px solid var(--gh-accent);outline-offset:1px}
button{display:block;width:100%;padding:.7rem 1rem;border:0;border-radius:.375rem;background:var(--gh-accent);color:var(--gh-accent-text);font:inherit;font-weight:600;cursor:pointer}
button.secondary{margin-top:.5rem;background:transparent;color:var(--gh-text);border:1px solid #c6cbd4}
.error{margin:0 0 1rem;padding:.75rem;border-radius:.375rem;background:#fef3f2;color:var(--gh-error);border:1px solid #fecdca}
.muted{color:var(--gh-muted);font-size:.875rem}
.notice{margin:0 0 1rem;padding:.75rem;border-radius:.375rem;background:#eff4ff;border:1px solid #c7d7fe}
a.provider{display:block;margin:0 0 .5rem;padding:.625rem 1rem;border:1px solid #c6cbd4;border-radius:.375rem;color:var(--gh-text);font-weight:600;text-align:center;text-decoration:none}
a.provider:focus,a.provider:hover{outline:2px solid var(--gh-accent);outline-offset:1px}
.divider{margin:1rem 0;color:var(--gh-muted);font-size:.875rem;text-align:center}
ul.scopes{list-style:none;margin:0 0 1.25rem;padding:0}
ul.scopes li{padding:.625rem 0;border-top:1px solid #e4e7ec}
ul.scopes li:last-child{border-bottom:1px solid #e4e7ec}
ul.scopes label{display:flex;gap:.5rem;align-items:flex-start;margin:0;font-weight:400}
ul.scopes .detail{display:block;color:var(--gh-muted);font-size:.875rem}
code{font-size:.875rem;overflow-wrap:anywhere}
ul.connections{list-style:none;margin:0 0 1.25rem;padding:0}
ul.connections li{padding:.75rem 0;border-top:1px solid #e4e7ec}
ul.connections li:last-child{border-bottom:1px solid #e4e7ec}
ul.connections .status{display:inline-block;white-space:nowrap;margin-left:.5rem;padding:0 .5rem;border-radius:1rem;font-size:.8125rem;background:#eff4ff}
ul.connections .status.reauthorization_required{background:#fef3f2;color:var(--gh-error)}
ul.connections .detail{display:block}
ul.connections .actions{display:flex;gap:.5rem;align-items:center;margin-top:.5rem}
ul.connections .actions form{margin:0}
ul.connections .actions button,ul.connections .actions a.provider{width:auto;margin:0;padding:.375rem .75rem;font-size:.875rem}
.user-code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:1.375rem;font-weight:600;letter-spacing:.12em;text-align:center;text-transform:uppercase}
`;

export const stylesheetPath = '/ui/gatehouse.css';
const etag = `"${createHash('sha256').update(css).digest('base64url').slice(0, 16)}"`;

/** GET /ui/gatehouse.css: same-origin, cacheable, revalidated by ETag. */
export function registerUiAssets(app: FastifyInstance): void {
  app.get(stylesheetPath, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.header('content-type', 'text/css; charset=utf-8').send(css);
  });
}
