import { Transform, type Readable } from 'node:stream';
// The signer alone: mailauth's index also loads its BIMI fetcher (undici), which sending has no use for.
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DkimConfig } from '../config/mail-options.js';

/**
 * The header fields signed when present: mailauth's defaults, plus List-Unsubscribe-Post, which RFC 8058
 * (and the large mailbox providers' one-click rule) wants covered by the signature with List-Unsubscribe.
 */
const SIGNED_FIELDS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-ID',
  'Content-Description',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Help',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
];

type SigningOptions = Parameters<typeof dkimSign>[1];
type SigningKey = Pick<SigningOptions, 'signingDomain' | 'selector' | 'privateKey' | 'algorithm'>;

/**
 * A nodemailer transporter that signs every message with the DKIM key, when there is one: mailauth's signer
 * (rsa-sha256, or ed25519-sha256 of RFC 8463, which nodemailer's own signer lacks), one path for both key
 * types. It signs the message as nodemailer built it (Message-ID, Date, MIME headers included) and puts the
 * DKIM-Signature header in front; the rest goes out byte for byte.
 */
export function createMailTransporter(options: Record<string, unknown>, dkim: DkimConfig | undefined): Transporter {
  // nodemailer accepts its transports' options in one object; its types want one shape at a time.
  const transporter = nodemailer.createTransport(options as Parameters<typeof nodemailer.createTransport>[0]);
  if (dkim) {
    const key: SigningKey = {
      signingDomain: dkim.domain,
      selector: dkim.selector,
      privateKey: dkim.privateKey,
      algorithm: dkim.algorithm,
    };
    transporter.use('stream', (mail, done) => {
      mail.message.processFunc((input: Readable) => signingStream(input, key));
      done();
    });
  }
  return transporter;
}

/**
 * mailauth's signer reads the keys from `signatureData` only: its types want them at the top level too, where
 * alone they sign nothing and report nothing. It marks each entry, so each message gets its own.
 */
function signingOptions(key: SigningKey): SigningOptions {
  return { ...key, canonicalization: 'relaxed/relaxed', headerList: SIGNED_FIELDS, signatureData: [{ ...key }] };
}

/**
 * The message as it passes, with the DKIM-Signature header in front once all of it was seen. mailauth reports
 * a signature it could not make in `errors` and signs nothing; that fails the send rather than let an unsigned
 * email go out under a domain whose policy may reject it.
 */
function signingStream(input: Readable, key: SigningKey): Transform {
  const chunks: Buffer[] = [];
  const output = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
    flush(callback) {
      const message = Buffer.concat(chunks);
      dkimSign(message, signingOptions(key)).then(
        ({ signatures, errors }) => {
          const failure = errors[0]?.err;
          if (failure || !signatures) {
            callback(new Error(`DKIM signing failed: ${failure?.message ?? 'no signature was made'}`));
            return;
          }
          this.push(Buffer.from(signatures, 'latin1'));
          this.push(message);
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  input.once('error', (error) => output.destroy(error));
  return input.pipe(output);
}
