import type { LoginPage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { hiddenInputs } from './fields.ts';
import { html, trusted } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

/**
 * The sign-in form. Its fields are named `loginId` and `password` with the standard autocomplete tokens,
 * so password managers and scripts fill them; errors never say whether the account exists.
 */
export function renderLoginPage(theme: Theme, page: LoginPage): RenderedPage {
  const focusLogin = page.loginId === undefined || page.loginId === '';
  const content = html`${page.error === undefined ? '' : html`<p class="error" role="alert">${page.error}</p>`}
<p class="muted">Sign in to continue to <strong>${page.applicationName}</strong>.</p>
<form method="post" action="${page.action}">
${hiddenInputs(page.hidden)}<label for="loginId">Email or username</label>
<input id="loginId" name="loginId" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${page.loginId ?? ''}"${focusLogin ? trusted(' autofocus') : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${focusLogin ? '' : trusted(' autofocus')}>
<button type="submit">Sign in</button>
</form>`;
  return layout(theme, { title: 'Sign in', content });
}
