import type { ConnectionItem, ConnectionsPage, RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { hiddenInputs } from './fields.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import type { Theme } from './theme.ts';

function connectionItem(item: ConnectionItem) {
  return html`<li><strong>${item.providerName}</strong> · ${item.account}<span class="status ${item.status}">${item.statusText}</span>
<span class="detail muted">Connected since ${item.connectedSince}${item.lastRefreshed === undefined ? '' : html` · last refreshed ${item.lastRefreshed}`}</span>
<div class="actions"><a class="provider" href="${item.reconnectHref}">Reconnect</a>
<form method="post" action="${item.disconnectAction}">
${hiddenInputs(item.disconnectHidden)}<button type="submit" class="secondary">Disconnect</button>
</form></div></li>
`;
}

/**
 * The self-service connections page: every upstream account linked to the signed-in user with its
 * status, a reconnect link (the way back for a link that needs reauthorization), a disconnect form each
 * (CSRF token inside), and one link per provider to connect another account.
 */
export function renderConnectionsPage(theme: Theme, page: ConnectionsPage): RenderedPage {
  const content = html`<p class="muted">Signed in as ${page.account}.</p>
${page.connections.length === 0 ? html`<p>No accounts are connected yet.</p>
` : html`<ul class="connections">
${page.connections.map(connectionItem)}</ul>
`}${page.connectLinks.map((link) => html`<a class="provider" href="${link.href}">${link.text}</a>
`)}`;
  return layout(theme, { title: 'Connected accounts', content });
}
