import { createHash, createPrivateKey, sign } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DkimConfig } from '../config/mail-options.js';

/** The header fields signed when present: what a reader sees, what makes the message, and the unsubscribe. */
const SIGNED_FIELDS = [
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
];

/**
 * A nodemailer transporter that signs every message with the DKIM key, when there is one. RSA keys use
 * nodemailer's own signer (`a=rsa-sha256`); it has none for Ed25519, so those are signed here
 * (`a=ed25519-sha256`, RFC 8463), after the message is built, like nodemailer's own signer.
 */
export function createMailTransporter(options: Record<string, unknown>, dkim: DkimConfig | undefined): Transporter {
  const rsa =
    dkim?.algorithm === 'rsa-sha256'
      ? { dkim: { domainName: dkim.domain, keySelector: dkim.selector, privateKey: dkim.privateKey } }
      : {};
  // nodemailer accepts its transports' options in one object; its types want one shape at a time.
  const transporter = nodemailer.createTransport({ ...options, ...rsa } as Parameters<
    typeof nodemailer.createTransport
  >[0]);
  if (dkim?.algorithm === 'ed25519-sha256') {
    const key = createPrivateKey(dkim.privateKey);
    transporter.use('stream', (mail, done) => {
      mail.message.processFunc((input: Readable) => signingStream(input, dkim, key));
      done();
    });
  }
  return transporter;
}

/** The message as it passes, with a DKIM-Signature header in front once all of it was seen. */
function signingStream(input: Readable, dkim: DkimConfig, key: ReturnType<typeof createPrivateKey>): Transform {
  const chunks: Buffer[] = [];
  const output = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
    flush(callback) {
      try {
        const message = Buffer.concat(chunks);
        this.push(Buffer.from(ed25519Signature(message.toString('latin1'), dkim, key), 'latin1'));
        this.push(message);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  input.once('error', (error) => output.destroy(error));
  return input.pipe(output);
}

/** RFC 6376 3.4.4: runs of spaces and tabs become one space, none at line ends, no empty lines at the end. */
function relaxedBody(body: string): string {
  const lines = body.split(/\r?\n/).map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length > 0 ? `${lines.join('\r\n')}\r\n` : '';
}

/** RFC 6376 3.4.2: lower-case name, unfolded value, runs of whitespace as one space, none around the colon. */
function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** The DKIM-Signature header line (with its CRLF) for a message given as latin1 text (one char per byte). */
export function ed25519Signature(message: string, dkim: DkimConfig, key: ReturnType<typeof createPrivateKey>): string {
  const split = /\r?\n\r?\n/.exec(message);
  const head = split ? message.slice(0, split.index) : message;
  const body = split ? message.slice(split.index + split[0].length) : '';
  const fields = head.split(/\r?\n(?![ \t])/).filter((field) => field.includes(':'));
  // The last instance of each field is signed (RFC 6376 5.4.2), once.
  const byName = new Map<string, string>();
  for (const field of fields) byName.set(field.slice(0, field.indexOf(':')).trim().toLowerCase(), field);
  const signed = SIGNED_FIELDS.filter((name) => byName.has(name));
  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const tags = [
    'v=1',
    'a=ed25519-sha256',
    'c=relaxed/relaxed',
    `d=${dkim.domain}`,
    `s=${dkim.selector}`,
    `bh=${bodyHash}`,
    `h=${signed.join(':')}`,
  ];
  const unsigned = `DKIM-Signature: ${tags.join(';\r\n ')};\r\n b=`;
  const data = [...signed.map((name) => relaxedHeader(byName.get(name)!)), relaxedHeader(unsigned)].join('\r\n');
  // RFC 8463: Ed25519 (pure) over the SHA-256 hash of the canonicalized header data.
  const signature = sign(null, createHash('sha256').update(data, 'latin1').digest(), key).toString('base64');
  return `${unsigned}${signature}\r\n`;
}
