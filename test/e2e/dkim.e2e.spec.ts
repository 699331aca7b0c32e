import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// The DKIM module alone: mailauth's index also loads its BIMI fetcher (undici), which the test has no use for.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * DKIM (API.md v1.1, Deliverability): every email carries a DKIM-Signature that verifies against the key of
 * DKIM_PRIVATE_KEY. Checked as a receiving server checks it: mailauth verifies the message the SMTP server
 * received, its DNS lookup answered by a stub that holds the selector's TXT record (the one thing outside us).
 */
const DOMAIN = 'school.example';
const SELECTOR = 'tp2026';

/** The TXT record a sender publishes at <selector>._domainkey.<domain> (RFC 6376; Ed25519: RFC 8463, the raw key). */
function txtRecord(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType === 'ed25519') {
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    return `v=DKIM1; k=ed25519; p=${raw.toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

function resolverFor(record: string) {
  return async (name: string, rrtype: string) => {
    if (rrtype === 'TXT' && name.toLowerCase() === `${SELECTOR}._domainkey.${DOMAIN}`) return [[record]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

async function verify(raw: Buffer | string, record: string) {
  const result = await dkimVerify(raw, { resolver: resolverFor(record) });
  return result.results.map((signature) => ({
    result: signature.status.result,
    algo: signature.algo,
    domain: signature.signingDomain,
    selector: signature.selector,
  }));
}

describe.each([
  ['rsa-sha256', 'PEM text', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['ed25519-sha256', 'a PEM file', () => generateKeyPairSync('ed25519')],
] as const)('DKIM %s, the key given as %s', (algo, form, generate) => {
  const keys = generate();
  const pem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let t: DeliveryTestApp;
  let keyDir: string;

  beforeAll(async () => {
    keyDir = await mkdtemp(path.join(os.tmpdir(), 'dkim-'));
    const keyFile = path.join(keyDir, 'dkim.pem');
    await writeFile(keyFile, pem, { mode: 0o600 });
    t = await startDeliveryTestApp({
      MAIL_FROM: `Online School <hello@${DOMAIN}>`,
      DKIM_DOMAIN: DOMAIN,
      DKIM_SELECTOR: SELECTOR,
      DKIM_PRIVATE_KEY: form === 'PEM text' ? pem : keyFile,
    });
    await t
      .post('/v1/templates', {
        key: 'welcome',
        name: 'Welcome',
        variants: [
          {
            locale: 'ro',
            subject: 'Bun venit, {{default contact.firstName "prietene"}}!',
            html: '<p>Salut, {{contact.firstName}}: locul tău este rezervat.</p><p><a href="https://school.example/start?a=1&amp;b=2">Începe</a></p>',
          },
        ],
      })
      .expect(201);
    await t
      .post('/v1/sequences', {
        key: 'welcome',
        name: 'Welcome',
        triggerEvent: 'joined',
        steps: [{ key: 'day0', dayOffset: 0, template: 'welcome' }],
      })
      .expect(201);
    await t.post('/v1/sequences/welcome/activate', {}).expect(200);
  });
  afterAll(async () => {
    await t.close();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('signs every email so that it verifies against the public key, and a changed email does not', async () => {
    for (const email of ['ana@example.md', 'ion@example.md']) {
      await t
        .post('/v1/events', {
          email,
          name: 'joined',
          occurredAt: '2026-11-24T09:00:00Z',
          contact: { firstName: 'Ștefan', locale: 'ro' },
        })
        .expect(202);
    }
    expect((await t.post('/v1/scheduler/run', { now: '2026-11-24T09:30:00Z' }).expect(200)).body.sent).toBe(2);
    await t.sink.waitForCount(2);
    const record = txtRecord(keys.publicKey);

    for (const message of t.sink.messages) {
      expect(await verify(message.raw, record)).toEqual([{ result: 'pass', algo, domain: DOMAIN, selector: SELECTOR }]);
      const header = message.raw.toString().replace(/\r?\n[ \t]+/g, ' ');
      const signed = /^DKIM-Signature:.*\bh=([^;]+)/im.exec(header)![1].replace(/\s/g, '').toLowerCase().split(':');
      expect(signed).toEqual(
        // RFC 8058: the one-click unsubscribe headers are only honoured when the signature covers both.
        expect.arrayContaining([
          'from',
          'to',
          'subject',
          'date',
          'message-id',
          'list-unsubscribe',
          'list-unsubscribe-post',
        ]),
      );
    }

    const raw = t.sink.messages[0].raw.toString('latin1');
    const otherKey = generate().publicKey;
    expect((await verify(raw, txtRecord(otherKey)))[0].result).toBe('fail');
    // A body that no longer matches the signed body hash: mailauth says `neutral` (RFC 6376 leaves it open).
    const tamperedBody = raw.replace(/rezervat/, 'rezervaT');
    expect(tamperedBody).not.toBe(raw);
    expect((await verify(tamperedBody, record))[0].result).not.toBe('pass');
    const tamperedSubject = raw.replace(/^Subject: .*$/m, 'Subject: =?UTF-8?Q?Ofert=C4=83?=');
    expect((await verify(tamperedSubject, record))[0].result).toBe('fail');
  });
});
