import type { FormPostPage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { hiddenInputs } from './fields.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

const submit = 'document.forms[0].submit();';

/**
 * OAuth 2.0 Form Post Response Mode §2: the response parameters as hidden fields of a form that posts
 * itself to the redirect URI (a button without JavaScript). Every value is HTML-escaped.
 */
export function renderFormPostPage(theme: Theme, page: FormPostPage): RenderedPage {
  const content = html`<form method="post" action="${page.action}">
${hiddenInputs(page.fields)}<noscript><button type="submit">Continue</button></noscript>
</form>`;
  return layout(theme, { title: 'Continuing…', content, script: submit });
}
