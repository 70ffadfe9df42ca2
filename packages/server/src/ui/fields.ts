import type { HiddenFields } from '../oauth/authorization/hosted-pages.ts';
import { html, type SafeHtml } from './html.ts';

/** The hidden inputs that carry a form's state; names and values are escaped like all text. */
export function hiddenInputs(fields: HiddenFields): SafeHtml {
  return html`${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}`;
}
