import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { describeCertificate } from '../../keys/certificate-information.ts';
import { apiAlgorithmName, isKeyAlgorithm, keyAlgorithms, publicJwkToPem, publicKeyLength } from '../../keys/key-algorithms.ts';
import type { SigningKeyRecord } from '../../store/repositories/signing-key-repository.ts';
import type { ApiCallers } from '../api-callers.ts';

/**
 * FusionAuth's `key` object. Built from public members only: the sealed private part is never opened
 * for a response, so neither a private key nor an HMAC secret can leak through this API.
 */
export function keyJson(record: SigningKeyRecord) {
  const type = isKeyAlgorithm(record.algorithm) ? keyAlgorithms[record.algorithm].type : undefined;
  const length = publicKeyLength(record.algorithm, record.publicJwk);
  const certificate = record.certificate === undefined ? undefined : describeCertificate(record.certificate);
  return {
    id: record.id,
    algorithm: apiAlgorithmName(record.algorithm),
    name: record.name,
    kid: record.kid,
    ...(type === undefined ? {} : { type }),
    ...(record.publicJwk === undefined ? {} : { publicKey: publicJwkToPem(record.publicJwk) }),
    ...(record.certificate === undefined ? {} : { certificate: record.certificate }),
    ...(certificate === undefined ? {} : { certificateInformation: certificate.information, expirationInstant: certificate.information.validTo }),
    ...(certificate?.issuerCommonName === undefined ? {} : { issuer: certificate.issuerCommonName }),
    ...(length === undefined ? {} : { length }),
    hasPrivateKey: record.privateSealed !== undefined,
    insertInstant: record.insertInstant,
    lastUpdateInstant: record.lastUpdateInstant,
  };
}

export const keyIdParams = { type: 'object', required: ['keyId'], properties: { keyId: { type: 'string', format: 'uuid' } } } as const;

/** The route-level body check: the `key` wrapper only; the key itself is validated by Key Master. */
export const keyBody = { type: 'object', required: ['key'], properties: { key: { type: 'object' } } } as const;

/**
 * Keys are global, like FusionAuth's Key Master: a tenant-scoped API key may not read or change them
 * (one tenant's administrator must not swap the keys every tenant's tokens are signed with).
 */
export function requireGlobalCaller(callers: ApiCallers, request: FastifyRequest): void {
  if (callers.get(request).tenantId !== undefined) throw ApiError.unauthorized();
}
