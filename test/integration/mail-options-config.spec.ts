import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { configProblems } from '../support/config-problems.js';

/** DKIM_* and TRACK_* are read at boot: a key nodemailer could not use must refuse the start, naming the variable. */
const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();
const RSA = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const DKIM = { DKIM_DOMAIN: 'school.example', DKIM_SELECTOR: 'tp2026', DKIM_PRIVATE_KEY: RSA };

describe('DKIM and tracking configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mail-options-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('defaults: both kinds of tracking on, no DKIM', () => {
    expect(loadConfig({}).mail).toEqual({ tracking: { opens: true, clicks: true }, dkim: undefined });
    expect(loadConfig({ TRACK_OPENS: 'false', TRACK_CLICKS: 'no' }).mail.tracking).toEqual({
      opens: false,
      clicks: false,
    });
    expect(configProblems({ TRACK_OPENS: 'sometimes' })).toEqual([
      expect.stringMatching(/^TRACK_OPENS must be true or false/),
    ]);
  });

  it('takes the key as PEM text (newlines written \\n too) or as the path of a PEM file, RSA or Ed25519', async () => {
    expect(loadConfig(DKIM).mail.dkim).toMatchObject({
      domain: 'school.example',
      selector: 'tp2026',
      algorithm: 'rsa-sha256',
    });
    expect(loadConfig({ ...DKIM, DKIM_PRIVATE_KEY: RSA.replace(/\n/g, '\\n') }).mail.dkim?.algorithm).toBe(
      'rsa-sha256',
    );
    const file = path.join(dir, 'ed25519.pem');
    await writeFile(file, pem(generateKeyPairSync('ed25519').privateKey));
    expect(loadConfig({ ...DKIM, DKIM_PRIVATE_KEY: file }).mail.dkim?.algorithm).toBe('ed25519-sha256');
  });

  it.each([
    [
      'a key that is not PEM',
      { DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----' },
    ],
    ['a missing key file', { DKIM_PRIVATE_KEY: '/nonexistent/dkim.pem' }],
    ['a key pasted without its PEM lines', { DKIM_PRIVATE_KEY: RSA.split('\n').slice(1, -2).join('') }],
    ['a 512-bit RSA key', { DKIM_PRIVATE_KEY: pem(generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey) }],
    ['an EC key', { DKIM_PRIVATE_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey) }],
  ])('refuses %s, naming DKIM_PRIVATE_KEY and never quoting the key', (_case, override) => {
    const problems = configProblems({ ...DKIM, ...override });
    expect(problems).toEqual([expect.stringMatching(/^DKIM_PRIVATE_KEY /)]);
    expect(problems[0]).not.toContain('PRIVATE KEY-----');
    expect(problems[0]).not.toContain(RSA.split('\n')[1]);
  });

  it('refuses a partial DKIM configuration and bad names, naming each variable', () => {
    expect(configProblems({ DKIM_DOMAIN: 'school.example' })).toEqual([
      expect.stringMatching(/^DKIM_SELECTOR and DKIM_PRIVATE_KEY must be set too/),
    ]);
    expect(configProblems({ ...DKIM, DKIM_DOMAIN: 'not a domain', DKIM_SELECTOR: 'bad selector' })).toEqual([
      expect.stringMatching(/^DKIM_DOMAIN must be a domain name/),
      expect.stringMatching(/^DKIM_SELECTOR must be a DNS label/),
    ]);
  });

  it('the built server refuses to start with a bad key, naming DKIM_PRIVATE_KEY', async () => {
    const main = path.resolve('dist/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\``);
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', ...DKIM, DKIM_PRIVATE_KEY: '/nonexistent/dkim.pem', DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/Touchpoint cannot start\. Invalid configuration:[\s\S]*- DKIM_PRIVATE_KEY /);
  });
});
