import { readFileSync } from 'node:fs';
import { readReport } from './report-parser.js';

const fixture = (name: string, values: Record<string, string> = {}) =>
  Object.entries({ __RETURN_PATH__: 'bounce+x@school.test', __RECIPIENT__: 'ana@example.org', ...values }).reduce(
    (text, [key, value]) => text.replaceAll(key, value),
    readFileSync(new URL(`../../test/fixtures/returned-mail/${name}`, import.meta.url), 'utf8'),
  );

describe('readReport', () => {
  it('reads a 5.x.x failure of an RFC 3464 DSN as a hard bounce, with its diagnostic', () => {
    expect(readReport(fixture('dsn.eml', { __STATUS__: '5.1.1' }))).toEqual({
      kind: 'bounce',
      diagnostic: expect.stringMatching(/^5\.1\.1 smtp; 550 5\.1\.1 .*User unknown in virtual mailbox table$/),
    });
    expect(readReport(fixture('dsn.eml', { __STATUS__: '5.7.1' }))?.kind).toBe('bounce');
  });

  it('reads 4.x.x as a soft bounce and a 2.x.x report as nothing', () => {
    expect(readReport(fixture('dsn-delayed.eml', { __STATUS__: '4.4.1' }))?.kind).toBe('soft-bounce');
    expect(readReport(fixture('dsn.eml', { __STATUS__: '4.2.2' }))?.kind).toBe('soft-bounce');
    expect(readReport(fixture('dsn.eml', { __STATUS__: '2.0.0' }))).toBeUndefined();
  });

  it('reads an RFC 5965 abuse report as a complaint, and not-spam as nothing', () => {
    expect(readReport(fixture('arf.eml'))).toEqual({
      kind: 'complaint',
      diagnostic: 'feedback-type abuse from SomeGenerator/1.0',
    });
    expect(readReport(fixture('arf.eml').replace('Feedback-Type: abuse', 'Feedback-Type: not-spam'))).toBeUndefined();
  });

  it('finds a report forwarded inside a multipart/mixed, with LF line ends and a base64 report part', () => {
    const arf = fixture('arf.eml').replaceAll('\r\n', '\n');
    const [headers, body] = arf.split(/\n\n(.*)/s);
    const boundary = /boundary="([^"]+)"/.exec(headers)![1];
    const encoded = body.replace(
      /Content-Type: message\/feedback-report\n\n([\s\S]*?)\n--/,
      (_, report: string) =>
        `Content-Type: message/feedback-report\nContent-Transfer-Encoding: base64\n\n${Buffer.from(report).toString('base64')}\n--`,
    );
    const forwarded = [
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: text/plain',
      '',
      'See the attached report.',
      '--outer',
      `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
      '',
      encoded,
      '--outer--',
    ].join('\n');
    expect(readReport(forwarded)?.kind).toBe('complaint');
  });

  it('is nothing for mail that is no report: prose bounces, auto-replies, a report without its part', () => {
    expect(readReport('From: a@b\nSubject: Out of office\n\nI am away.')).toBeUndefined();
    expect(
      readReport(fixture('dsn.eml', { __STATUS__: '5.1.1' }).replace('message/delivery-status', 'text/plain')),
    ).toBeUndefined();
    expect(readReport('')).toBeUndefined();
  });
});
