import type { FastifyError } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { issueField, issuesToFieldErrors, type SchemaIssue } from '../validation/field-errors.ts';

/** Messages for Fastify's own request failures. They never echo the body (it may hold secrets). */
const framework: Record<string, { status: number; code: string; oauth: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalidJSON', oauth: 'invalid_request', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalidJSON', oauth: 'invalid_request', message: 'The request declares a JSON body but sent none.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'invalidContentType', oauth: 'invalid_request', message: 'The Content-Type of the request is not supported by this endpoint.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'requestTooLarge', oauth: 'invalid_request', message: 'The request body is larger than this server accepts.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalidContentLength', oauth: 'invalid_request', message: 'The Content-Length header does not match the body.' },
  FST_ERR_BAD_URL: { status: 400, code: 'invalidURL', oauth: 'invalid_request', message: 'The request URL is malformed.' },
};

/** Schema validation failures become FusionAuth field errors: `[blank]user.email`, `[tooLong]apiKey.key`... */
export function validationToApiError(error: FastifyError): ApiError {
  const root = error.validationContext === 'body' ? '' : (error.validationContext ?? '');
  return new ApiError(400, issuesToFieldErrors((error.validation ?? []) as SchemaIssue[], root));
}

export function validationToOAuthError(error: FastifyError): OAuthError {
  const [issue] = (error.validation ?? []) as SchemaIssue[];
  const field = issue === undefined ? 'request' : issueField(issue, '');
  return new OAuthError('invalid_request', `Invalid parameter ${field}: ${issue?.message ?? 'is invalid'}`);
}

/** Fastify's framework errors in each family's shape; undefined for anything else. */
export function frameworkError(error: FastifyError, family: 'api' | 'oauth'): ApiError | OAuthError | undefined {
  const known = framework[error.code];
  if (known === undefined) return undefined;
  return family === 'api'
    ? ApiError.general(known.code, known.message, known.status)
    : new OAuthError('invalid_request', known.message, known.status);
}
