export const webhookIdParams = {
  type: 'object',
  required: ['webhookId'],
  properties: { webhookId: { type: 'string', format: 'uuid' } },
} as const;

/** The route-level body check: the wrapper only; the object itself is validated by events/webhooks.ts. */
export const webhookBody = {
  type: 'object',
  required: ['webhook'],
  properties: { webhook: { type: 'object', description: "FusionAuth's webhook: url, eventsEnabled, global, tenantIds, headers, timeouts, HTTP Basic credentials, signatureConfiguration, data." } },
} as const;
