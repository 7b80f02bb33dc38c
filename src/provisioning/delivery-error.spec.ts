import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { BlockedAddressError } from '../clusters/webhook-url-policy';
import { deliveryErrorClass } from './delivery-error';

/** The error a real request to this URL fails with. */
function failure(url: string, options: https.RequestOptions = {}): Promise<unknown> {
  return new Promise((resolve) => {
    const request = (url.startsWith('https') ? https : http).request(url, { method: 'POST', ...options });
    request.on('error', resolve);
    request.on('response', () => resolve(null));
    request.end();
  });
}

describe('deliveryErrorClass', () => {
  it('names the class of real network failures, without their addresses or ports', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(deliveryErrorClass(await failure(`http://127.0.0.1:${closedPort}/`))).toBe('connection refused');

    const resetting = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const resetPort = (resetting.address() as net.AddressInfo).port;
    expect(deliveryErrorClass(await failure(`http://127.0.0.1:${resetPort}/`))).toBe('connection reset');

    // Plain text where TLS is expected: the handshake fails.
    const plain = net.createServer((socket) => socket.end('HTTP/1.1 200 OK\r\n\r\n'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const plainPort = (plain.address() as net.AddressInfo).port;
    expect(deliveryErrorClass(await failure(`https://127.0.0.1:${plainPort}/`))).toBe('TLS error');

    expect(deliveryErrorClass(await failure('http://no-such-host.invalid/'))).toBe('DNS lookup failed');
    resetting.close();
    plain.close();
  });

  it('names timeouts, blocked addresses and anything else', () => {
    expect(deliveryErrorClass(Object.assign(new Error('no answer in 10 ms'), { code: 'ETIMEDOUT' }))).toBe(
      'timeout',
    );
    expect(deliveryErrorClass(new BlockedAddressError('127.0.0.1 is a loopback address'))).toBe(
      'address not allowed',
    );
    expect(deliveryErrorClass(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }))).toBe('TLS error');
    expect(deliveryErrorClass(new Error('connect ECONNREFUSED 10.0.0.1:22'))).toBe('network error');
    expect(deliveryErrorClass('a string')).toBe('network error');
  });
});
