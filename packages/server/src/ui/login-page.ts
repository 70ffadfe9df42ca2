import type { LoginPage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { hiddenInputs } from './fields.ts';
import { html, trusted } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

/**
 * The sign-in form. Its fields are named `loginId` and `password` with the standard autocomplete tokens,
 * so password managers and scripts fill them; errors never say whether the account exists. Identity
 * providers enabled for the application come first, one link each (text only: the page's CSP loads no
 * outside images, so `buttonImageURL` is not shown).
 */
export function renderLoginPage(theme: Theme, page: LoginPage): RenderedPage {
  const focusLogin = page.loginId === undefined || page.loginId === '';
  const providers = page.providers ?? [];
  const content = html`${page.error === undefined ? '' : html`<p class="error" role="alert">${page.error}</p>`}
${page.notice === undefined ? '' : html`<p class="notice">${page.notice}</p>`}<p class="muted">Sign in to continue to <strong>${page.applicationName}</strong>.</p>
${providers.map((provider) => html`<a class="provider" href="${provider.href}">${provider.text}</a>
`)}${providers.length === 0 ? '' : html`<p class="divider">or</p>
`}<form method="post" action="${page.action}">
${hiddenInputs(page.hidden)}<label for="loginId">Email or username</label>
<input id="loginId" name="loginId" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${page.loginId ?? ''}"${focusLogin ? trusted(' autofocus') : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"${page.passwordOptional === true ? '' : trusted(' required')}${focusLogin ? '' : trusted(' autofocus')}>
<button type="submit">Sign in</button>
</form>`;
  return layout(theme, { title: 'Sign in', content });
}
