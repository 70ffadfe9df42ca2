import type { HostedPages } from '../oauth/authorization/hosted-pages.ts';
import { renderConnectionsPage } from './connections-page.ts';
import { renderConsentPage } from './consent-page.ts';
import { renderDeviceCodePage, renderDeviceConfirmPage, renderDeviceDonePage } from './device-page.ts';
import { renderErrorPage } from './error-page.ts';
import { renderFormPostPage } from './form-post-page.ts';
import { renderLoginPage } from './login-page.ts';
import { renderLoggedOutPage, renderLogoutConfirmPage } from './logout-pages.ts';
import { defaultTheme, type ThemeResolver } from './theme.ts';

export interface HostedPagesOptions {
  /** The per-tenant theme hook; tenants it answers undefined for get the default theme. */
  readonly themeFor?: ThemeResolver;
}

/** The server-rendered pages of the authorization endpoints (see oauth/authorization/hosted-pages.ts). */
export function createHostedPages(options: HostedPagesOptions = {}): HostedPages {
  const theme = (tenantId: string | undefined) => options.themeFor?.(tenantId) ?? defaultTheme;
  return {
    login: (page) => renderLoginPage(theme(page.tenantId), page),
    consent: (page) => renderConsentPage(theme(page.tenantId), page),
    error: (page) => renderErrorPage(theme(page.tenantId), page),
    logoutConfirm: (page) => renderLogoutConfirmPage(theme(page.tenantId), page),
    loggedOut: (page) => renderLoggedOutPage(theme(page.tenantId), page),
    formPost: (page) => renderFormPostPage(theme(page.tenantId), page),
    deviceCode: (page) => renderDeviceCodePage(theme(page.tenantId), page),
    deviceConfirm: (page) => renderDeviceConfirmPage(theme(page.tenantId), page),
    deviceDone: (page) => renderDeviceDonePage(theme(page.tenantId), page),
    connections: (page) => renderConnectionsPage(theme(page.tenantId), page),
  };
}
