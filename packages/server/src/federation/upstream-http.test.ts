import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createSelfSignedCertificate, defaultValidity } from '../keys/self-signed-certificate.ts';
import { after, before, describe, it } from 'node:test';
import { blockedRange, createUpstreamHttp, UpstreamError, type HostLookup, type UpstreamErrorKind } from './upstream-http.ts';

async function rejection(work: Promise<unknown>, kind: UpstreamErrorKind): Promise<UpstreamError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof UpstreamError, String(error));
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected an UpstreamError of kind ${kind}`);
}

const fixed = (...addresses: string[]): HostLookup => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('blockedRange', () => {
  const cases: readonly (readonly [string, string | undefined])[] = [
    ['0.0.0.0', 'unspecified'], ['0.255.255.255', 'unspecified'], ['::', 'unspecified'], ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['127.0.0.1', 'loopback'], ['127.0.0.0', 'loopback'], ['127.255.255.255', 'loopback'], ['::1', 'loopback'], ['0:0:0:0:0:0:0:1', 'loopback'],
    ['169.254.0.0', 'link-local'], ['169.254.169.254', 'link-local'], ['169.254.255.255', 'link-local'],
    ['fe80::', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf:ffff::1', 'link-local'],
    ['10.0.0.0', 'private'], ['10.255.255.255', 'private'],
    ['172.16.0.0', 'private'], ['172.31.255.255', 'private'],
    ['192.168.0.0', 'private'], ['192.168.255.255', 'private'],
    ['fc00::', 'private'], ['fd12:3456::1', 'private'], ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['100.64.0.0', 'CGNAT'], ['100.127.255.255', 'CGNAT'],
    ['224.0.0.0', 'multicast'], ['239.255.255.255', 'multicast'], ['ff02::1', 'multicast'], ['ff0e::1', 'multicast'],
    ['240.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::FFFF:A9FE:A9FE', 'link-local'], ['::ffff:10.1.2.3', 'private'],
    ['::ffff:192.168.1.1', 'private'], ['::ffff:100.64.0.1', 'CGNAT'], ['::ffff:0.0.0.0', 'unspecified'], ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'], ['64:ff9b::169.254.169.254', 'link-local'], ['64:ff9b::a00:1', 'private'],
    ['not an address', 'unspecified'], ['', 'unspecified'],
    // Public neighbours of every range edge.
    ['1.0.0.0', undefined], ['8.8.8.8', undefined], ['9.255.255.255', undefined], ['11.0.0.0', undefined],
    ['126.255.255.255', undefined], ['128.0.0.0', undefined], ['169.253.255.255', undefined], ['169.255.0.0', undefined],
    ['172.15.255.255', undefined], ['172.32.0.0', undefined], ['192.167.255.255', undefined], ['192.169.0.0', undefined],
    ['100.63.255.255', undefined], ['100.128.0.0', undefined], ['223.255.255.255', undefined],
    ['2001:4860:4860::8888', undefined], ['::2:1', 'unspecified'], ['1::1', undefined], ['fbff:ffff::1', undefined], ['fe00::1', undefined], ['fec0::1', undefined],
    ['::ffff:8.8.8.8', undefined], ['64:ff9b::808:808', undefined], ['2606:4700::1111', undefined],
  ];
  for (const [address, range] of cases) {
    it(`${address || '(empty)'} → ${range ?? 'public'}`, () => assert.equal(blockedRange(address), range));
  }
});

describe('createUpstreamHttp against a server on 127.0.0.1', () => {
  let server: Server;
  let base: string;
  let port: number;
  const seen: { url: string; host: string | undefined; body: string }[] = [];

  function readAll(request: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => resolve(text));
    });
  }

  before(async () => {
    server = createServer(async (request, response) => {
      const body = await readAll(request);
      seen.push({ url: request.url ?? '', host: request.headers.host, body });
      switch (new URL(request.url ?? '/', 'http://upstream').pathname) {
        case '/json': return response.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"https://example.test"}');
        case '/token': return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: Object.fromEntries(new URLSearchParams(body)), auth: request.headers.authorization }));
        case '/denied': return response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        case '/redirect': return response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        case '/html': return response.writeHead(200, { 'content-type': 'text/html' }).end('<html>nope</html>');
        case '/slow': return void setTimeout(() => response.writeHead(200).end('{}'), 2000).unref();
        case '/drip': {
          response.writeHead(200, { 'content-type': 'application/json' }).write('[');
          const timer = setInterval(() => response.write('1,'), 50);
          response.on('close', () => clearInterval(timer));
          return void setTimeout(() => clearInterval(timer), 3000).unref();
        }
        case '/huge': {
          // Streamed without a content-length: the cap must cut it while reading.
          response.writeHead(200, { 'content-type': 'application/json' });
          const chunk = `"${'x'.repeat(64 * 1024)}",`;
          let sent = 0;
          const pump = () => {
            while (sent < 200 && !response.destroyed) {
              sent += 1;
              if (!response.write(chunk)) return void response.once('drain', pump);
            }
            response.end();
          };
          response.write('[');
          return pump();
        }
        case '/declared-huge': return response.writeHead(200, { 'content-length': '50000000' }).end();
        default: return response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = createUpstreamHttp({ allowPrivateNetwork: true, timeoutMs: 1000, maxResponseBytes: 100_000 });
  const guarded = createUpstreamHttp({ allowPrivateNetwork: false, timeoutMs: 1000 });

  it('refuses 127.0.0.1 without the flag and reads it with the flag', async () => {
    const before = seen.length;
    const refused = await rejection(guarded.getJson(`https://127.0.0.1:${port}/json`), 'refused_address');
    assert.match(refused.message, /127\.0\.0\.1.*loopback/);
    assert.equal(seen.length, before, 'no request reached the server');
    assert.deepEqual(await open.getJson(`${base}/json`), { status: 200, json: { issuer: 'https://example.test' } });
  });

  it('refuses http without the flag, user info always, and unparsable URLs', async () => {
    await rejection(guarded.getJson('http://example.com/.well-known/openid-configuration'), 'refused_url');
    await rejection(open.getJson(`http://user:pass@127.0.0.1:${port}/json`), 'refused_url');
    await rejection(guarded.getJson('ftp://example.com/x'), 'refused_url');
    await rejection(guarded.getJson('not a url'), 'refused_url');
  });

  it('refuses a host name whose lookup returns a private address, even as one of several', async () => {
    const privateOnly = createUpstreamHttp({ allowPrivateNetwork: false, lookup: fixed('10.0.0.5') });
    assert.match((await rejection(privateOnly.getJson('https://idp.example.com/jwks'), 'refused_address')).message, /idp\.example\.com.*private/);
    const mixed = createUpstreamHttp({ allowPrivateNetwork: false, lookup: fixed('93.184.215.14', '169.254.169.254') });
    await rejection(mixed.getJson('https://idp.example.com/jwks'), 'refused_address');
    const mapped = createUpstreamHttp({ allowPrivateNetwork: false, lookup: fixed('::ffff:127.0.0.1') });
    await rejection(mapped.getJson('https://idp.example.com/jwks'), 'refused_address');
  });

  it('refuses IPv4-mapped ::ffff:127.0.0.1 and other literals', async () => {
    await rejection(guarded.getJson(`https://[::ffff:127.0.0.1]:${port}/json`), 'refused_address');
    await rejection(guarded.getJson(`https://[::1]:${port}/json`), 'refused_address');
    await rejection(guarded.getJson('https://0.0.0.0/json'), 'refused_address');
    await rejection(guarded.getJson('https://2130706433/json'), 'refused_address'); // 127.0.0.1 as a decimal number
  });

  it('connects to the checked address only, keeping the name in the Host header (no rebinding)', async () => {
    let calls = 0;
    const rebinding: HostLookup = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    };
    const client = createUpstreamHttp({ allowPrivateNetwork: true, timeoutMs: 1000, lookup: rebinding });
    assert.deepEqual((await client.getJson(`http://idp.test:${port}/json`)).json, { issuer: 'https://example.test' });
    assert.equal(calls, 1);
    assert.equal(seen.at(-1)?.host, `idp.test:${port}`);
  });

  it('does not follow redirects', async () => {
    const before = seen.length;
    const error = await rejection(open.getJson(`${base}/redirect`), 'http_status');
    assert.equal(error.status, 302);
    assert.equal(seen.length, before + 1, 'only the first request was made');
  });

  it('times out on a slow server and on a dripping body', async () => {
    const quick = createUpstreamHttp({ allowPrivateNetwork: true, timeoutMs: 200 });
    const started = Date.now();
    await rejection(quick.getJson(`${base}/slow`), 'timeout');
    await rejection(quick.getJson(`${base}/drip`), 'timeout');
    assert.ok(Date.now() - started < 1500, 'both gave up at their deadline');
  });

  it('cuts a huge body at the cap, streamed or declared', async () => {
    assert.match((await rejection(open.getJson(`${base}/huge`), 'too_large')).message, /100000 bytes/);
    await rejection(open.getJson(`${base}/declared-huge`), 'too_large');
  });

  it('errors on a body that is not JSON', async () => {
    assert.equal((await rejection(open.getJson(`${base}/html`), 'invalid_json')).status, 200);
  });

  it('posts a form with headers and reads the JSON answer', async () => {
    const answer = await open.postForm(`${base}/token`, { grant_type: 'refresh_token', refresh_token: 'r&t=1' }, { authorization: 'Basic Y2xpZW50OnNlY3JldA==' });
    assert.deepEqual(answer.json, { received: { grant_type: 'refresh_token', refresh_token: 'r&t=1' }, auth: 'Basic Y2xpZW50OnNlY3JldA==' });
  });

  it('names the host but no secret in its error messages', async () => {
    const secrets = ['refresh-SECRET-value', 'client-SECRET-value', 'Bearer SECRET-header'];
    const form = { refresh_token: secrets[0] ?? '', client_secret: secrets[1] ?? '' };
    const headers = { authorization: secrets[2] ?? '' };
    const failures = [
      await rejection(open.postForm(`${base}/denied?code=${secrets[0]}`, form, headers), 'http_status'),
      await rejection(open.postForm(`${base}/html`, form, headers), 'invalid_json'),
      await rejection(createUpstreamHttp({ allowPrivateNetwork: true, timeoutMs: 100 }).postForm(`${base}/slow`, form, headers), 'timeout'),
      await rejection(guarded.postForm(`https://127.0.0.1:${port}/token`, form, headers), 'refused_address'),
      await rejection(open.postForm('http://127.0.0.1:1/token', form, headers), 'network'),
    ];
    assert.deepEqual(failures[0]?.body, { error: 'invalid_grant' });
    assert.equal(failures[0]?.status, 400);
    for (const failure of failures) {
      assert.match(failure.message, /^Upstream 127\.0\.0\.1: /);
      const text = `${failure.message} ${failure.stack ?? ''}`;
      for (const secret of secrets) assert.ok(!text.includes(secret), `${failure.kind} message leaks ${secret}`);
    }
  });

  it('over https sends the original name as SNI to the pinned address and verifies the certificate', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = createSelfSignedCertificate({ privateKey, commonName: 'idp.test', ...defaultValidity(Date.now()) });
    const names: string[] = [];
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' });
    const tls = createTlsServer({ key, cert, SNICallback: (name, done) => (names.push(name), done(null, undefined)) }, (socket) => socket.destroy());
    tls.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const tlsPort = (tls.address() as AddressInfo).port;
      const client = createUpstreamHttp({ allowPrivateNetwork: true, timeoutMs: 1000, lookup: fixed('127.0.0.1') });
      const error = await rejection(client.getJson(`https://idp.test:${tlsPort}/jwks`), 'network');
      assert.match(error.message, /^Upstream idp\.test: request failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/);
      assert.deepEqual(names, ['idp.test'], 'the pinned connection carried the name as SNI');
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});
