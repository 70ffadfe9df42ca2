import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entraMultiTenantIssuers, expectedEntraIssuer, isEntraIssuerValid } from '../../src/federation/microsoft-entra.ts';

const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';

describe('Microsoft Entra ID multi-tenant issuer', () => {
  it('expects the issuer of the token’s own tenant', () => {
    assert.equal(expectedEntraIssuer({ tid, iss: 'whatever' }), `https://login.microsoftonline.com/${tid}/v2.0`);
    assert.equal(isEntraIssuerValid({ tid, iss: `https://login.microsoftonline.com/${tid}/v2.0` }), true);
  });

  it('refuses a token whose iss names another tenant, the common endpoint, or another host', () => {
    const other = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    assert.equal(isEntraIssuerValid({ tid, iss: `https://login.microsoftonline.com/${other}/v2.0` }), false);
    assert.equal(isEntraIssuerValid({ tid, iss: 'https://login.microsoftonline.com/common/v2.0' }), false);
    assert.equal(isEntraIssuerValid({ tid, iss: `https://evil.example/${tid}/v2.0` }), false);
    assert.equal(isEntraIssuerValid({ tid, iss: `https://login.microsoftonline.com/${tid}/v2.0/` }), false);
    assert.equal(isEntraIssuerValid({ tid }), false);
  });

  it('has no expected issuer without a tenant id claim that is a GUID', () => {
    for (const claims of [{}, { tid: '' }, { tid: 42 }, { tid: 'common' }, { tid: `${tid}/../x` }, { tid: tid.toUpperCase() }, { tid: null }]) {
      assert.equal(expectedEntraIssuer(claims), undefined, JSON.stringify(claims));
      assert.equal(isEntraIssuerValid({ ...claims, iss: `https://login.microsoftonline.com/${String(claims.tid)}/v2.0` }), false);
    }
  });

  it('lists the tenant-independent issuers', () => {
    assert.deepEqual(entraMultiTenantIssuers, [
      'https://login.microsoftonline.com/common/v2.0',
      'https://login.microsoftonline.com/organizations/v2.0',
      'https://login.microsoftonline.com/consumers/v2.0',
    ]);
  });
});
