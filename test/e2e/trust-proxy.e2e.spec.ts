import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * TRUST_PROXY decides which X-Forwarded-For entry names the client, and so whose rate-limit budget a request
 * spends (test/e2e/http-edge.e2e.spec.ts covers the default and `false`). The test client connects from
 * 127.0.0.1, which plays the proxy.
 */
describe('TRUST_PROXY with a hop count or the proxies’ addresses', () => {
  const wrong = { Authorization: 'Bearer wrong-key-wrong-key-wrong' };
  const statuses = async (t: TestApp, forwardedFor: string[]) => {
    const seen: number[] = [];
    for (const header of forwardedFor) {
      seen.push((await t.http().get('/v1/contacts').set(wrong).set('X-Forwarded-For', header)).status);
    }
    return seen;
  };
  const withApp = async (trustProxy: string, work: (t: TestApp) => Promise<void>) => {
    const t = await startTestApp({ TRUST_PROXY: trustProxy, AUTH_FAILURE_LIMIT: '2' });
    try {
      await work(t);
    } finally {
      await t.close();
    }
  };

  it('with a hop count of 1, the entry the one proxy added names the client: a forged one before it buys nothing', () =>
    withApp('1', async (t) => {
      expect(
        await statuses(t, ['203.0.113.1, 198.51.100.7', '203.0.113.2, 198.51.100.7', '203.0.113.3, 198.51.100.7']),
      ).toEqual([401, 401, 429]);
      expect(await statuses(t, ['203.0.113.1, 198.51.100.8'])).toEqual([401]);
    }));

  it('with the proxies’ CIDRs, the first address outside them names the client', () =>
    withApp('loopback, 10.0.0.0/8', async (t) => {
      expect(await statuses(t, ['203.0.113.1, 10.1.1.1', '203.0.113.2, 10.2.2.2', '203.0.113.1, 10.3.3.3'])).toEqual([
        401, 401, 401,
      ]);
      expect(await statuses(t, ['203.0.113.1, 10.1.1.1'])).toEqual([429]);
      // An untrusted hop in the chain is the client, whatever it claims before it.
      expect(await statuses(t, ['203.0.113.9, 198.51.100.1', '203.0.113.8, 198.51.100.1'])).toEqual([401, 401]);
      expect(await statuses(t, ['203.0.113.7, 198.51.100.1'])).toEqual([429]);
    }));
});
