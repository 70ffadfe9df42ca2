/**
 * The pages the authorization endpoints show, as view models. The oauth module decides what a page
 * says; src/ui renders it (app.ts passes the renderer in, so this module never imports ui/).
 */

/** Form fields carried from one step to the next, in order. */
export type HiddenFields = ReadonlyArray<readonly [name: string, value: string]>;

interface PageBase {
  /** Picks the tenant's theme. */
  readonly tenantId: string | undefined;
}

export interface LoginPage extends PageBase {
  readonly applicationName: string;
  /** Where the form posts (same origin). */
  readonly action: string;
  readonly hidden: HiddenFields;
  /** Prefill for the loginId field (login_hint, or what the user typed). */
  readonly loginId: string | undefined;
  readonly error: string | undefined;
  /** The identity providers enabled for the application: one button each, a link that starts their flow. */
  readonly providers?: readonly ProviderButton[];
  /** Some enabled provider manages e-mail domains: the password may be left empty for those addresses. */
  readonly passwordOptional?: boolean;
  /** Shown above the form, e.g. that signing in links an upstream account (a pending link). */
  readonly notice?: string | undefined;
}

export interface ProviderButton {
  readonly text: string;
  readonly imageUrl: string | undefined;
  /** Same-origin URL: /oauth2/authorize with the request's parameters and idp_hint. */
  readonly href: string;
}

export interface ConsentScope {
  readonly name: string;
  readonly message: string;
  readonly detail: string | undefined;
  /** Optional scopes get a checkbox; required ones are granted with the consent. */
  readonly required: boolean;
}

export interface ConsentPage extends PageBase {
  readonly applicationName: string;
  /** Who is signed in (email or username), so the user sees which account consents. */
  readonly account: string;
  readonly action: string;
  readonly hidden: HiddenFields;
  readonly scopes: readonly ConsentScope[];
}

export interface ErrorPage extends PageBase {
  readonly heading: string;
  readonly message: string;
  /** The OAuth error code, shown small for whoever debugs the client. */
  readonly error: string | undefined;
}

export interface LogoutConfirmPage extends PageBase {
  readonly applicationName: string | undefined;
  readonly action: string;
  readonly hidden: HiddenFields;
}

export interface LoggedOutPage extends PageBase {}

/** OAuth 2.0 Form Post Response Mode: an auto-submitting form to the client's redirect URI. */
export interface FormPostPage extends PageBase {
  readonly action: string;
  readonly fields: HiddenFields;
}

/** The device verification page's code entry form (RFC 8628 §3.3). */
export interface DeviceCodePage extends PageBase {
  readonly action: string;
  readonly hidden: HiddenFields;
  /** Prefill: the code of verification_uri_complete, or what the user typed. */
  readonly userCode: string | undefined;
  readonly error: string | undefined;
}

/** What the user approves for a device (RFC 8628 §5.4): the client, the code its device shows, the scopes. */
export interface DeviceConfirmPage extends PageBase {
  readonly applicationName: string;
  readonly account: string;
  /** Formatted for reading, as the device may show it. */
  readonly userCode: string;
  readonly action: string;
  readonly hidden: HiddenFields;
  readonly scopes: readonly ConsentScope[];
}

/** The end of the device verification: back to the device. */
export interface DeviceDonePage extends PageBase {
  readonly applicationName: string;
  readonly approved: boolean;
}

/** One connected upstream account on the connections page. */
export interface ConnectionItem {
  readonly providerName: string;
  /** The upstream account: its display name, else its id at the provider. */
  readonly account: string;
  readonly status: 'active' | 'reauthorization_required' | 'revoked';
  /** What the status says to the user: Connected, Needs reconnecting, Revoked. */
  readonly statusText: string;
  /** Formatted for reading (UTC). */
  readonly connectedSince: string;
  readonly lastRefreshed: string | undefined;
  /** Same-origin link that authorizes the account again (/account/connect/{providerId}). */
  readonly reconnectHref: string;
  /** The disconnect form: where it posts and its hidden fields (link id, CSRF token). */
  readonly disconnectAction: string;
  readonly disconnectHidden: HiddenFields;
}

/** The signed-in user's connected accounts (/account/connections). */
export interface ConnectionsPage extends PageBase {
  /** Who is signed in (email or username). */
  readonly account: string;
  readonly connections: readonly ConnectionItem[];
  /** One "connect another account" link per enabled browser provider. */
  readonly connectLinks: readonly ProviderButton[];
}

/** A rendered page and the inline style/script digests its Content-Security-Policy must allow. */
export interface RenderedPage {
  readonly body: string;
  /** CSP hash sources, e.g. `'sha256-...'`. */
  readonly styleHashes: readonly string[];
  readonly scriptHashes: readonly string[];
}

export interface HostedPages {
  login(page: LoginPage): RenderedPage;
  consent(page: ConsentPage): RenderedPage;
  error(page: ErrorPage): RenderedPage;
  logoutConfirm(page: LogoutConfirmPage): RenderedPage;
  loggedOut(page: LoggedOutPage): RenderedPage;
  formPost(page: FormPostPage): RenderedPage;
  deviceCode(page: DeviceCodePage): RenderedPage;
  deviceConfirm(page: DeviceConfirmPage): RenderedPage;
  deviceDone(page: DeviceDonePage): RenderedPage;
  connections(page: ConnectionsPage): RenderedPage;
}
