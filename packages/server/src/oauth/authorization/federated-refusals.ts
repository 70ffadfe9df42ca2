import type { FederatedRefusal } from '../../federation/federated-login.ts';
import type { FederationErrorReason } from '../../federation/federation-error.ts';

/** What the login page says when a federated sign-in is refused; never which local accounts exist beyond what the user's own upstream account implies. */
export function refusalMessage(reason: FederatedRefusal, providerName: string): string {
  switch (reason) {
    case 'disabled':
    case 'noLink':
    case 'unsupported':
      return `Your ${providerName} account is not linked to an account here. Sign in with your password, or ask an administrator to link it.`;
    case 'noUser':
      return `No account here matches your ${providerName} account.`;
    case 'missingEmail':
      return `${providerName} did not share your email address, which signing in needs.`;
    case 'missingUsername':
      return `${providerName} did not share your username, which signing in needs.`;
    case 'unverifiedEmail':
      return `${providerName} has not verified your email address, so it cannot be matched to an account here. Sign in with your password.`;
    case 'emailInUse':
    case 'usernameInUse':
      return `An account here already uses your ${providerName} email address or username. Sign in with your password.`;
    case 'linkedInAnotherTenant':
      return `Your ${providerName} account is linked to an account elsewhere.`;
    case 'linkLimit':
      return `Your account already has the most ${providerName} accounts it may link.`;
  }
}

export function federationErrorMessage(reason: FederationErrorReason, providerName: string): string {
  return reason === 'upstream_unavailable' ? `${providerName} cannot be reached right now. Try again later.` : `Signing in with ${providerName} failed. Try again.`;
}
