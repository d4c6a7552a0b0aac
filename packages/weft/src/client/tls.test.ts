import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TlsError, UnavailableError } from '../errors/index.js';
import {
  caBundle,
  explainConnectionFailure,
  nodeTlsOptions,
  plainClientHint,
  type TlsContext,
  tlsFailure,
} from './tls.js';

const secure: TlsContext = { tls: true, url: 'https://h:1', schemes: ['http', 'https'] };
const plain: TlsContext = { tls: false, url: 'http://h:1', schemes: ['http', 'https'] };

function errno(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('client TLS options', () => {
  it('passes ca and servername to tls.connect, and bundles CAs for gRPC', () => {
    assert.deepEqual(nodeTlsOptions(undefined), {});
    assert.deepEqual(nodeTlsOptions({ ca: ['A', 'B'], servername: 'gw.example.com' }), {
      ca: ['A', 'B'],
      servername: 'gw.example.com',
    });
    assert.equal(caBundle(undefined), null);
    assert.equal(
      caBundle({ ca: ['-----A-----', Buffer.from('-----B-----')] })?.toString(),
      '-----A-----\n-----B-----\n',
    );
  });
});

describe('TLS connection failures', () => {
  it('names an untrusted certificate, by code (Node) or by text (grpc-js)', () => {
    for (const err of [
      errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      errno('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'),
      new UnavailableError('runtime gateway is unavailable', {
        cause: new Error('14 UNAVAILABLE: No connection established. Last error: Error: self-signed certificate.'),
      }),
    ]) {
      const e = tlsFailure(err, secure);
      assert.ok(e instanceof TlsError, err.message);
      assert.match(
        e.message,
        /^cannot connect to https:\/\/h:1: the gateway's TLS certificate is not trusted; .*tls: \{ ca \}/,
      );
      assert.equal(e.cause, err);
    }
  });

  it('names a certificate for another host, and a port that does not speak TLS', () => {
    const misnamed = errno('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames");
    assert.match(
      tlsFailure(misnamed, secure)?.message ?? '',
      /does not name the host dialled; .*tls: \{ servername \}/,
    );
    const notTls = errno('EPROTO', 'write EPROTO …:ssl3_get_record:wrong version number');
    assert.match(tlsFailure(notTls, secure)?.message ?? '', /does not speak TLS on this port; connect with http:\/\//);
  });

  it('leaves other failures alone, and plain clients to a hint', () => {
    assert.equal(tlsFailure(errno('ECONNREFUSED', 'connect ECONNREFUSED'), secure), undefined);
    assert.equal(tlsFailure(errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), plain), undefined);
    assert.equal(plainClientHint(errno('ECONNREFUSED', 'connect ECONNREFUSED'), plain), '');
    assert.match(
      plainClientHint(errno('ECONNRESET', 'socket hang up'), plain),
      /serves TLS on this port, connect with https:\/\//,
    );
    assert.equal(plainClientHint(errno('ECONNRESET', 'socket hang up'), secure), '');
  });

  it('keeps the class and details of a hinted error', () => {
    const dropped = new UnavailableError('gateway dropped the connection (socket hang up)', { details: { url: 'x' } });
    const e = explainConnectionFailure(dropped, plain) as UnavailableError;
    assert.ok(e instanceof UnavailableError);
    assert.match(e.message, /socket hang up\); if the gateway serves TLS/);
    assert.deepEqual(e.details, { url: 'x' });
    const other = new RangeError('input ran dry');
    assert.equal(explainConnectionFailure(other, plain), other);
  });
});
