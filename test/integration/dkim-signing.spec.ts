import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// The DKIM module alone: mailauth's index also loads its BIMI fetcher (undici), which the test has no use for.
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import nodemailer from 'nodemailer';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import {
  FileOutboxTransport,
  type MailTransport,
  type OutgoingMessage,
  SmtpMailTransport,
  WorkerSmtpMailTransport,
} from '../../src/delivery/mail-transport.js';
import { SmtpSink } from '../support/smtp-sink.js';

/**
 * Each way out (SMTP on the calling thread, SMTP in the worker thread, the file outbox) sends the message
 * nodemailer built, byte for byte, with one DKIM-Signature header in front that verifies. The boundary, date
 * and Message-ID are fixed so the unsigned build of the same message is the reference.
 */
const DOMAIN = 'school.example';
const SELECTOR = 'tp2026';

const message: OutgoingMessage = {
  from: `Online School <hello@${DOMAIN}>`,
  to: 'ana@example.md',
  subject: 'Bun venit, Ștefan!',
  html: '<p>Salut, Ștefan: locul tău este rezervat.</p>\n<p>  spaces\tand tabs  </p>',
  text: 'Salut, Ștefan: locul tău este rezervat.',
  messageId: `<fixed-1@${DOMAIN}>`,
  date: new Date('2026-11-24T09:00:00Z'),
  baseBoundary: 'touchpoint-dkim-test',
  headers: {
    'List-Unsubscribe': `<https://${DOMAIN}/u/abc>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

async function unsigned(newline: 'windows' | 'unix'): Promise<Buffer> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline }).sendMail(message);
  return info.message as Buffer;
}

function txtRecord(publicKey: KeyObject): string {
  if (publicKey.asymmetricKeyType === 'ed25519') {
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    return `v=DKIM1; k=ed25519; p=${raw.toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

async function verify(raw: Buffer, record: string) {
  const resolver = async (name: string, rrtype: string) => {
    if (rrtype === 'TXT' && name.toLowerCase() === `${SELECTOR}._domainkey.${DOMAIN}`) return [[record]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
  const result = await dkimVerify(raw, { resolver });
  return result.results.map((signature) => ({ result: signature.status.result, algo: signature.algo }));
}

/** What came before the reference bytes: exactly one header field, the signature (folded lines only). */
function expectSignedCopy(raw: Buffer, reference: Buffer, newline: string): string {
  expect(raw.subarray(raw.length - reference.length).equals(reference)).toBe(true);
  const prefix = raw.subarray(0, raw.length - reference.length).toString('latin1');
  expect(prefix).toMatch(/^DKIM-Signature: /);
  expect(prefix.endsWith(newline)).toBe(true);
  const lines = prefix.slice(0, -newline.length).split(newline);
  expect(lines.slice(1).every((line) => /^[ \t]/.test(line))).toBe(true);
  return prefix;
}

describe.each([
  ['rsa-sha256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['ed25519-sha256', () => generateKeyPairSync('ed25519')],
] as const)('DKIM %s signing', (algo, generate) => {
  const keys = generate();
  const record = txtRecord(keys.publicKey);
  let config: AppConfig;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    config = loadConfig({
      SMTP_URL: sink.url,
      ADMIN_API_KEY: 'k'.repeat(16),
      DKIM_DOMAIN: DOMAIN,
      DKIM_SELECTOR: SELECTOR,
      DKIM_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
  });
  afterAll(async () => {
    await sink.close();
  });

  it.each([
    ['on the calling thread', (c: AppConfig): MailTransport => new SmtpMailTransport(c)],
    ['in the worker thread', (c: AppConfig): MailTransport => new WorkerSmtpMailTransport(c)],
  ])('SMTP %s sends the built message unchanged behind one signature that verifies', async (_where, create) => {
    const transport = create(config);
    const before = sink.messages.length;
    try {
      await transport.send(message);
    } finally {
      await transport.close();
    }
    await sink.waitForCount(before + 1);
    const raw = sink.messages[before].raw;
    const signature = expectSignedCopy(raw, await unsigned('windows'), '\r\n');
    expect(signature).toContain(`a=${algo}`);
    expect(signature.replace(/\s/g, '')).toMatch(/h=[^;]*List-Unsubscribe-Post/i);
    expect(await verify(raw, record)).toEqual([{ result: 'pass', algo }]);
  });

  it('the file outbox holds the same signed message (unix newlines)', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    try {
      await new FileOutboxTransport(directory, config).send(message);
      const [file] = await readdir(directory);
      const raw = await readFile(path.join(directory, file));
      const signature = expectSignedCopy(raw, await unsigned('unix'), '\n');
      expect(signature).toContain(`a=${algo}`);
      expect(signature.replace(/\s/g, '')).toMatch(/h=[^;]*List-Unsubscribe-Post/i);
      expect(await verify(raw, record)).toEqual([{ result: 'pass', algo }]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
