import type { ConsentPage, ConsentScope, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { hiddenInputs } from './fields.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

export function scopeItem(scope: ConsentScope) {
  const text = html`<span>${scope.message}${scope.detail === undefined ? '' : html`<span class="detail">${scope.detail}</span>`}</span>`;
  // Required scopes come with the consent itself: a checked, disabled box (disabled inputs are not posted).
  const box = scope.required
    ? html`<input type="checkbox" checked disabled>`
    : html`<input type="checkbox" name="scope_choice" value="${scope.name}" checked>`;
  return html`<li><label>${box}${text}</label></li>\n`;
}

/** What a third-party application asks for, with allow and deny; optional scopes can be unticked. */
export function renderConsentPage(theme: Theme, page: ConsentPage): RenderedPage {
  const content = html`<p><strong>${page.applicationName}</strong> would like to:</p>
<form method="post" action="${page.action}">
${hiddenInputs(page.hidden)}<ul class="scopes">
${page.scopes.map(scopeItem)}</ul>
<p class="muted">Signed in as ${page.account}.</p>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`;
  return layout(theme, { title: 'Allow access?', content });
}
