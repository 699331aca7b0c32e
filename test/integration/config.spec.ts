import { loadConfig } from '../../src/config/app-config.js';
import { configProblems } from '../support/config-problems.js';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      smtpUrl: undefined,
      smtpMaxConnections: 5,
      smtpRateLimit: undefined,
      schedulerEnabled: true,
      schedulerTestClock: false,
      publicUrl: 'http://localhost:3000',
      adminApiKeyGenerated: true,
    });
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.adminApiKeys[0].length).toBeGreaterThanOrEqual(32);
  });

  it("reads returned mail, webhook and breaker settings: the bounce domain is MAIL_FROM's unless set", () => {
    expect(loadConfig({ MAIL_FROM: 'School <Hello@School.Example>' })).toMatchObject({
      bounceSmtpPort: undefined,
      bounceDomain: 'school.example',
      webhookToken: undefined,
      complaintRateLimit: 0.003,
    });
    expect(
      loadConfig({ BOUNCE_SMTP_PORT: '2525', BOUNCE_DOMAIN: 'bounces.school.example', COMPLAINT_RATE_LIMIT: '0.001' }),
    ).toMatchObject({ bounceSmtpPort: 2525, bounceDomain: 'bounces.school.example', complaintRateLimit: 0.001 });
    expect(configProblems({ BOUNCE_SMTP_PORT: '2525', MAIL_FROM: 'no domain' })).toEqual([
      expect.stringMatching(/^BOUNCE_DOMAIN must be a domain name/),
    ]);
    expect(configProblems({ WEBHOOK_TOKEN: 'short' })).toEqual(['WEBHOOK_TOKEN must be at least 16 characters']);
    expect(configProblems({ COMPLAINT_RATE_LIMIT: 'high' })).toEqual([expect.stringMatching(/^COMPLAINT_RATE_LIMIT/)]);
    expect(configProblems({ BOUNCE_SMTP_PORT: '70000' })).toEqual([expect.stringMatching(/^BOUNCE_SMTP_PORT/)]);
  });

  it.each([
    ['DATABASE_URL', 'mysql://root@localhost/db', /DATABASE_URL must use postgres:\/\/ or postgresql:\/\//],
    ['DATABASE_URL', 'not a url', /DATABASE_URL is not a valid URL/],
    ['PORT', '70000', /PORT must be an integer from 0 to 65535/],
    ['PORT', 'abc', /PORT must be an integer/],
    ['SMTP_URL', 'http://mail.example.com', /SMTP_URL must use smtp:\/\/ or smtps:\/\//],
    ['SMTP_MAX_CONNECTIONS', '0', /SMTP_MAX_CONNECTIONS/],
    ['SMTP_RATE_LIMIT', '-1', /SMTP_RATE_LIMIT/],
    ['SCHEDULER_ENABLED', 'maybe', /SCHEDULER_ENABLED must be true or false/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL/],
    ['ADMIN_API_KEY', 'short', /ADMIN_API_KEY/],
    ['TRUST_PROXY', 'nginx', /TRUST_PROXY must be true, false, a hop count.*"nginx" is none of these/],
    ['TRUST_PROXY', '10.0.0.0/33', /TRUST_PROXY .*"10.0.0.0\/33"/],
    ['TRUST_PROXY', '10.0.0.0/255.0.0.1', /TRUST_PROXY .*"10.0.0.0\/255.0.0.1"/],
    ['TRUST_PROXY', 'loopback,', /TRUST_PROXY .*""/],
  ])('refuses %s=%s naming the variable', (name, value, expected) => {
    expect(configProblems({ [name]: value }).join('\n')).toMatch(expected);
  });

  it('reports every bad variable at once', () => {
    expect(configProblems({ PORT: '-1', SMTP_URL: 'bogus', DATABASE_URL: 'http://x' })).toHaveLength(3);
  });

  it('refuses to start in production without an admin key, and never generates one there', () => {
    expect(configProblems({ NODE_ENV: 'production' }).join()).toMatch(
      /ADMIN_API_KEY must be set when NODE_ENV=production/,
    );
  });

  it('accepts several comma-separated admin keys for rotation', () => {
    const config = loadConfig({ ADMIN_API_KEY: 'first-key-0123456789, second-key-0123456789' });
    expect(config.adminApiKeys).toEqual(['first-key-0123456789', 'second-key-0123456789']);
    expect(config.adminApiKeyGenerated).toBe(false);
  });

  it.each([
    [undefined, ['loopback']],
    ['false', false],
    ['true', true],
    ['0', 0],
    ['2', 2],
    [
      'loopback, 10.0.0.0/8, 192.168.1.1/255.255.255.0, fd00::/8, uniquelocal',
      ['loopback', '10.0.0.0/8', '192.168.1.1/255.255.255.0', 'fd00::/8', 'uniquelocal'],
    ],
  ])('reads TRUST_PROXY=%s as Express takes it', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});
