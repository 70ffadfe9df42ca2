import type { LoggedOutPage, LogoutConfirmPage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { hiddenInputs } from './fields.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

/** Asked when a logout request cannot prove it comes from the user's application (no valid id_token_hint). */
export function renderLogoutConfirmPage(theme: Theme, page: LogoutConfirmPage): RenderedPage {
  const content = html`<p>Do you want to sign out${page.applicationName === undefined ? '' : html` of <strong>${page.applicationName}</strong>`}?</p>
<form method="post" action="${page.action}">
${hiddenInputs(page.hidden)}<button type="submit">Sign out</button>
</form>`;
  return layout(theme, { title: 'Sign out', content });
}

export function renderLoggedOutPage(theme: Theme, _page: LoggedOutPage): RenderedPage {
  return layout(theme, { title: 'Signed out', content: html`<p>You are signed out. You can close this window.</p>` });
}
