import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Environment } from './app-config.js';

/** The key every email is signed with (DKIM_*), checked at boot: a key the signer cannot use fails no send silently. */
export interface DkimConfig {
  domain: string;
  selector: string;
  /** PKCS#8 PEM of the key, whatever form it was given in. */
  privateKey: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
}

export interface MailOptions {
  /** The tracking of sequences that do not choose (TRACK_OPENS, TRACK_CLICKS). */
  tracking: { opens: boolean; clicks: boolean };
  dkim: DkimConfig | undefined;
}

const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const SELECTOR = /^[A-Za-z0-9]([A-Za-z0-9-_]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-_]{0,61}[A-Za-z0-9])?)*$/;

/** RFC 8301: signers use RSA keys of at least 1024 bits (2048 advised); verifiers need not go past 4096. */
const RSA_MIN_BITS = 1024;
const RSA_MAX_BITS = 4096;

function value(env: Environment, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function flag(env: Environment, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return fallback;
}

/**
 * DKIM_PRIVATE_KEY is the PEM itself (newlines may be written `\n`, as .env files and secret stores often
 * hold it) or the path of a PEM file. The problem never quotes the key.
 */
function readKey(given: string, problems: string[]): KeyObject | undefined {
  let pem = given.replace(/\\n/g, '\n');
  if (!pem.includes('-----BEGIN')) {
    try {
      pem = readFileSync(given, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      // The value is not quoted: it may be a key pasted without its BEGIN line.
      problems.push(`DKIM_PRIVATE_KEY is neither PEM text nor the path of a readable PEM file (${code})`);
      return undefined;
    }
  }
  try {
    return createPrivateKey(pem);
  } catch {
    problems.push('DKIM_PRIVATE_KEY is not a PEM private key that can be read (an encrypted key is not supported)');
    return undefined;
  }
}

function readDkim(env: Environment, problems: string[]): DkimConfig | undefined {
  const domain = value(env, 'DKIM_DOMAIN');
  const selector = value(env, 'DKIM_SELECTOR');
  const keyText = value(env, 'DKIM_PRIVATE_KEY');
  const given = { DKIM_DOMAIN: domain, DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY: keyText };
  const missing = Object.entries(given).filter(([, setting]) => setting === undefined);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) {
    problems.push(
      `${missing.map(([name]) => name).join(' and ')} must be set too: DKIM needs all three DKIM_ variables`,
    );
    return undefined;
  }
  const before = problems.length;
  if (!DOMAIN.test(domain!)) problems.push(`DKIM_DOMAIN must be a domain name, got "${domain}"`);
  if (!SELECTOR.test(selector!))
    problems.push(`DKIM_SELECTOR must be a DNS label (or dotted labels), got "${selector}"`);
  const key = readKey(keyText!, problems);
  let algorithm: DkimConfig['algorithm'] | undefined;
  if (key?.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
      problems.push(
        `DKIM_PRIVATE_KEY is a ${bits}-bit RSA key; DKIM needs ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits (2048 advised)`,
      );
    } else algorithm = 'rsa-sha256';
  } else if (key?.asymmetricKeyType === 'ed25519') {
    algorithm = 'ed25519-sha256';
  } else if (key) {
    problems.push(`DKIM_PRIVATE_KEY is an ${key.asymmetricKeyType} key; DKIM signs with RSA or Ed25519 keys`);
  }
  if (problems.length > before || !key || !algorithm) return undefined;
  return {
    domain: domain!.toLowerCase(),
    selector: selector!,
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm,
  };
}

/**
 * What the emails carry besides their content: tracking by default, and the DKIM key. Both defaults are on:
 * the funnel's opened and clicked columns and the click-metric experiments read them, and a sequence that
 * must not track (a transactional one, a privacy-sensitive audience) says so with `tracking`.
 */
export function readMailOptions(env: Environment): { options: MailOptions; problems: string[] } {
  const problems: string[] = [];
  const tracking = {
    opens: flag(env, 'TRACK_OPENS', true, problems),
    clicks: flag(env, 'TRACK_CLICKS', true, problems),
  };
  return { options: { tracking, dkim: readDkim(env, problems) }, problems };
}
