import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { sendOAuthError } from '../../http/error-handler.ts';
import type { Store } from '../../store/store.ts';
import { codeRestriction, findPendingRequest } from '../device/device-interaction.ts';
import type { UserCodeGuesses } from '../device/user-code-guesses.ts';
import { oauthParameters, requiredParameter } from '../form-parameters.ts';

export interface DeviceValidateDeps {
  readonly store: Store;
  readonly now: () => number;
  readonly guesses: UserCodeGuesses;
}

async function validate(deps: DeviceValidateDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const parameters = oauthParameters(request.query);
  const clientId = requiredParameter(parameters, 'client_id');
  const userCode = requiredParameter(parameters, 'user_code');
  const restriction = codeRestriction((name) => (name === 'client_id' ? clientId : parameters.get(name)));
  const retryAfter = await deps.guesses.retryAfter(request);
  if (retryAfter !== undefined) {
    reply.header('retry-after', String(retryAfter));
    throw new OAuthError('invalid_request', 'Too many invalid user codes from this address. Try again later.', 429, { reason: 'too_many_requests' });
  }
  if ((await findPendingRequest(deps, userCode, restriction, deps.now())) === undefined) {
    await deps.guesses.countWrong(request);
    throw new OAuthError('invalid_request', 'The user_code is not valid: unknown, expired or already used.', 400, { reason: 'invalid_user_code' });
  }
  return reply.code(200).header('cache-control', 'no-store').send();
}

/**
 * GET /oauth2/device/validate?client_id=&user_code=[&tenantId=] (FusionAuth): 200 with no body when the
 * code is pending for that client, else a 400 OAuth error (JSON, although it sits with the hosted pages:
 * it shares their wrong-code counters, DEV-05). Entry is case-insensitive and ignores separators.
 */
export function registerDeviceValidate(app: FastifyInstance, deps: DeviceValidateDeps): void {
  app.get('/oauth2/device/validate', async (request, reply) => {
    try {
      return await validate(deps, request, reply);
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      throw error;
    }
  });
}
