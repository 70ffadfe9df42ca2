import type { ErrorPage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

/** Gatehouse's own error page: shown instead of redirecting when the client or its redirect URI is not trusted. */
export function renderErrorPage(theme: Theme, page: ErrorPage): RenderedPage {
  const content = html`<p>${page.message}</p>
${page.error === undefined ? '' : html`<p class="muted">Error code: <code>${page.error}</code></p>`}`;
  return layout(theme, { title: page.heading, content });
}
