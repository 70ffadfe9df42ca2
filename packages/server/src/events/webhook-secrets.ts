import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { Webhook } from '../store/repositories/webhook-repository.ts';

/** The HTTP Basic password of a webhook, sealed for its row (keys/sealed-columns.ts lists it). */
export const webhookPasswordContext = (webhookId: string): SealContext => ({ table: 'webhooks', row: webhookId, column: 'http_authentication_password_sealed' });

export function webhookPassword(keyRing: KeyRing, webhook: Pick<Webhook, 'id' | 'httpAuthenticationPasswordSealed'>): string | undefined {
  return webhook.httpAuthenticationPasswordSealed === undefined ? undefined : keyRing.unseal(webhook.httpAuthenticationPasswordSealed, webhookPasswordContext(webhook.id)).toString('utf8');
}
