import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { configProblems } from '../support/config-problems.js';
import { privateHostReason } from '../../src/config/production-checks.js';

/** A production configuration that starts: every variable the production refusals look at, set right. */
const GOOD: Record<string, string> = {
  NODE_ENV: 'production',
  ADMIN_API_KEY: 'production-admin-key-0123456789',
  SMTP_URL: 'smtp://mail.example.com:587',
  PUBLIC_URL: 'https://mail.example.com',
};

describe('production refuses silent misconfiguration, naming the variable', () => {
  it('starts with SMTP_URL and a public PUBLIC_URL', () => {
    expect(configProblems(GOOD)).toEqual([]);
    expect(loadConfig(GOOD).outboxOnly).toBe(false);
  });

  it('refuses no SMTP_URL, unless OUTBOX_ONLY=true says the outbox is meant', () => {
    const problems = configProblems({ ...GOOD, SMTP_URL: undefined });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SMTP_URL must be set when NODE_ENV=production.*OUTBOX_ONLY=true/);
    expect(configProblems({ ...GOOD, SMTP_URL: undefined, OUTBOX_ONLY: 'true' })).toEqual([]);
    expect(loadConfig({ ...GOOD, SMTP_URL: undefined, OUTBOX_ONLY: 'true' })).toMatchObject({
      smtpUrl: undefined,
      outboxOnly: true,
    });
  });

  it('refuses OUTBOX_ONLY=true beside SMTP_URL, in any environment', () => {
    expect(configProblems({ ...GOOD, OUTBOX_ONLY: 'true' })).toEqual([
      expect.stringMatching(/^OUTBOX_ONLY=true and SMTP_URL/),
    ]);
    expect(configProblems({ SMTP_URL: 'smtp://127.0.0.1:25', OUTBOX_ONLY: 'yes' })).toHaveLength(1);
    expect(configProblems({ OUTBOX_ONLY: 'maybe' })).toEqual([
      expect.stringMatching(/^OUTBOX_ONLY must be true or false/),
    ]);
  });

  it('refuses an unset PUBLIC_URL (its default is localhost)', () => {
    expect(configProblems({ ...GOOD, PUBLIC_URL: undefined })).toEqual([
      expect.stringMatching(/^PUBLIC_URL must be set when NODE_ENV=production/),
    ]);
  });

  it.each([
    'http://localhost:3000',
    'http://LOCALHOST./',
    'https://touchpoint.localhost',
    'http://127.0.0.1:3000',
    'http://127.1',
    'http://10.1.2.3',
    'http://172.16.0.1',
    'http://172.31.255.254',
    'http://192.168.1.10:8080',
    'http://169.254.169.254',
    'http://0.0.0.0:3000',
    'http://[::1]:3000',
    'http://[fd12:3456::1]',
    'http://[fc00::1]',
    'http://[fe80::1]',
    'http://[::ffff:192.168.0.1]',
  ])('refuses PUBLIC_URL=%s', (url) => {
    const problems = configProblems({ ...GOOD, PUBLIC_URL: url });
    expect(problems).toEqual([expect.stringMatching(/^PUBLIC_URL must be an address your recipients can reach/)]);
  });

  it.each([
    'https://mail.example.com',
    'http://172.32.0.1',
    'http://172.15.255.255',
    'http://192.169.0.1',
    'http://11.0.0.1',
    'http://[2001:db8::1]',
    'https://localhost.example.com',
  ])('accepts PUBLIC_URL=%s', (url) => {
    expect(privateHostReason(url)).toBeUndefined();
    expect(configProblems({ ...GOOD, PUBLIC_URL: url })).toEqual([]);
  });

  it('reports every refusal at once, each naming its variable, and a bad PUBLIC_URL only once', () => {
    const problems = configProblems({ NODE_ENV: 'production', PUBLIC_URL: 'http://192.168.0.2' });
    expect(problems.map((problem) => /^[A-Z_]+/.exec(problem)![0]).sort()).toEqual([
      'ADMIN_API_KEY',
      'PUBLIC_URL',
      'SMTP_URL',
    ]);
    expect(configProblems({ ...GOOD, PUBLIC_URL: 'not a url' })).toEqual(['PUBLIC_URL is not a valid URL']);
  });

  it('checks none of this outside production', () => {
    expect(configProblems({ PUBLIC_URL: 'http://localhost:3000' })).toEqual([]);
    expect(configProblems({ NODE_ENV: 'development' })).toEqual([]);
  });
});

describe('the built server (dist/main.js) in production', () => {
  const main = path.resolve('dist/main.js');

  /** Starts the server with exactly `env` (and PATH) and returns how it exited and what it wrote to stderr. */
  function run(env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [main], {
        env: { PATH: process.env.PATH ?? '', PORT: '0', ...env } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // A server that did start would not exit: stop it, and the test fails on its exit code.
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }

  beforeAll(() => {
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  });

  it.each([
    ['without SMTP_URL', { SMTP_URL: undefined }, /SMTP_URL must be set when NODE_ENV=production/],
    ['with PUBLIC_URL on localhost', { PUBLIC_URL: 'http://localhost:3000' }, /PUBLIC_URL must be an address/],
    ['with PUBLIC_URL on 10/8', { PUBLIC_URL: 'http://10.0.0.5' }, /PUBLIC_URL must be an address/],
    ['without PUBLIC_URL', { PUBLIC_URL: undefined }, /PUBLIC_URL must be set when NODE_ENV=production/],
  ])('exits at once %s, naming the variable', async (_name, change, expected) => {
    const { code, stderr } = await run({ ...GOOD, ...change });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Touchpoint cannot start\. Invalid configuration:/);
    expect(stderr).toMatch(expected);
  });
});
