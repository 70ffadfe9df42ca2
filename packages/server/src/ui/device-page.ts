import type { DeviceCodePage, DeviceConfirmPage, DeviceDonePage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { scopeItem } from './consent-page.ts';
import { hiddenInputs } from './fields.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

/**
 * The device verification pages (RFC 8628 §3.3): enter the code a TV or console shows, then confirm —
 * always, even when the code came prefilled from verification_uri_complete, because a code sent by
 * somebody else would otherwise sign the user's account in on the sender's device (§5.4).
 */
export function renderDeviceCodePage(theme: Theme, page: DeviceCodePage): RenderedPage {
  const content = html`${page.error === undefined ? '' : html`<p class="error" role="alert">${page.error}</p>`}
<p class="muted">Enter the code shown on your device.</p>
<form method="post" action="${page.action}">
${hiddenInputs(page.hidden)}<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" class="user-code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="64" required autofocus value="${page.userCode ?? ''}">
<button type="submit">Continue</button>
</form>`;
  return layout(theme, { title: 'Connect a device', content });
}

export function renderDeviceConfirmPage(theme: Theme, page: DeviceConfirmPage): RenderedPage {
  const content = html`<p>A device wants to sign in to <strong>${page.applicationName}</strong> with your account.</p>
<p class="muted">Only continue if this code is shown on a device you are using right now:</p>
<p class="user-code">${page.userCode}</p>
<form method="post" action="${page.action}">
${hiddenInputs(page.hidden)}${page.scopes.length === 0 ? '' : html`<p>The device will be able to:</p>
<ul class="scopes">
${page.scopes.map(scopeItem)}</ul>
`}<p class="muted">Signed in as ${page.account}.</p>
<button type="submit" name="decision" value="allow">Connect the device</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`;
  return layout(theme, { title: 'Connect this device?', content });
}

export function renderDeviceDonePage(theme: Theme, page: DeviceDonePage): RenderedPage {
  if (page.approved) {
    return layout(theme, { title: 'Device connected', content: html`<p>Your device is now signed in to <strong>${page.applicationName}</strong>. You may return to your device; you can close this window.</p>` });
  }
  return layout(theme, { title: 'Device denied', content: html`<p>The device was not connected to <strong>${page.applicationName}</strong>. You can close this window.</p>` });
}
