import { identityProviderTypes } from '../../federation/identity-provider-schema.ts';

export const identityProviderIdParams = {
  type: 'object',
  required: ['identityProviderId'],
  properties: { identityProviderId: { type: 'string', format: 'uuid' } },
} as const;

/** The route-level body check: the wrapper only; the object itself is validated by the domain, per type. */
export const identityProviderBody = {
  type: 'object',
  required: ['identityProvider'],
  properties: { identityProvider: { type: 'object', description: `FusionAuth's identityProvider; type one of ${identityProviderTypes.join(', ')}.` } },
} as const;
