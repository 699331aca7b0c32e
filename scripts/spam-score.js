#!/usr/bin/env node
// Scores emails with SpamAssassin (`spamassassin -L -t`: local tests only, the default rules) and lists the
// rules that fired, so templates and what the engine adds around them can be checked before a campaign.
//
//   node scripts/spam-score.js mail.eml [more.eml | directory-of-eml ...]
//       scores existing messages, e.g. the file outbox (DATA_DIR/outbox) of a server without SMTP_URL
//   node scripts/spam-score.js --campaign templates/examples/webinar-school/campaign.json [--keep DIR]
//       renders every step of a campaign (the demo:load format) as actually sent, in every locale of its
//       templates: starts the built server (npm run build) with a file outbox and an embedded database of
//       its own (never DATABASE_URL or SMTP_URL), loads the campaign, sends each step to one contact per locale,
//       scores the outbox. MAIL_FROM, PUBLIC_URL and DKIM_* are taken from the environment: set them as in
//       production
//   --max N   the highest acceptable score (default 1.0): the exit code is 1 when an email scores above it
//
// Without SpamAssassin installed (Debian/Ubuntu: apt-get install spamassassin) it says so and exits 0.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startBuiltServer } from './built-server.js';

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const [, value] = args.splice(index, 2);
  return value;
};
const max = Number(option('--max') ?? '1.0');
const campaignFile = option('--campaign');
const keep = option('--keep');

if (spawnSync('spamassassin', ['--version']).error) {
  console.log('spam-score: SpamAssassin is not installed (apt-get install spamassassin); nothing was scored.');
  process.exit(0);
}

/** `spamassassin -L -t` on one message: its score and the rules that fired, with their points. */
function score(raw) {
  return new Promise((resolve, reject) => {
    const child = execFile('spamassassin', ['-L', '-t'], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error && !stdout) return reject(error);
      const status = /^X-Spam-Status: .*?score=(-?[\d.]+)[\s\S]*?tests=([\s\S]*?)autolearn/m.exec(stdout);
      if (!status) return reject(new Error('no X-Spam-Status header in SpamAssassin output'));
      const report = stdout.slice(stdout.lastIndexOf('Content analysis details:'));
      const rules = [...report.matchAll(/^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s/gm)].map((m) => `${m[2]}(${m[1]})`);
      resolve({ score: Number(status[1]), rules });
    });
    child.stdin.end(raw);
  });
}

async function emlFiles(target) {
  if (!(await stat(target)).isDirectory()) return [target];
  const names = (await readdir(target)).filter((name) => name.endsWith('.eml')).sort();
  return names.map((name) => path.join(target, name));
}

async function report(entries) {
  let worst = -Infinity;
  for (const { label, raw } of entries) {
    const result = await score(raw);
    worst = Math.max(worst, result.score);
    const mark = result.score > max ? '  ABOVE' : '';
    console.log(
      `${result.score.toFixed(1).padStart(5)}  ${label}${mark}\n       ${result.rules.join(' ') || '(no rule)'}`,
    );
  }
  console.log(`${entries.length} email(s), highest score ${worst.toFixed(1)} (limit ${max.toFixed(1)})`);
  return worst <= max;
}

/** The built server with a file outbox and a test clock, on a data directory of its own. */
function startServer(dataDir) {
  return startBuiltServer({
    ...process.env,
    NODE_ENV: 'development',
    // Never the deployment's database or mail server: an embedded database of its own, a file outbox.
    DATABASE_URL: '',
    DATABASE_SCHEMA: '',
    SMTP_URL: '',
    OUTBOX_ONLY: 'true',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: 'spam-score-admin-key-0123456789',
    SCHEDULER_ENABLED: 'false',
    SCHEDULER_TEST_CLOCK: 'true',
    LOG_LEVEL: 'warn',
  });
}

/**
 * Every step of the campaign to one contact per locale. Segments only choose who gets a step; to see every
 * email, the sequence is loaded without its audience and step segments, and each step is sent by a
 * scheduling pass at the time its calendar plans.
 */
async function renderCampaign(file, dataDir) {
  const campaign = JSON.parse(await readFile(file, 'utf8'));
  const server = await startServer(dataDir);
  try {
    for (const template of campaign.templates) await server.call('POST', '/v1/templates', template);
    const { audienceSegment: _audience, ...sequence } = campaign.sequence;
    sequence.steps = sequence.steps.map(({ segment: _segment, ...step }) => step);
    await server.call('POST', '/v1/sequences', sequence);
    await server.call('POST', `/v1/sequences/${sequence.key}/activate`);
    const locales = [...new Set(campaign.templates.flatMap((template) => template.variants.map((v) => v.locale)))];
    const startAt = '2026-11-24T08:00:00Z'; // a Tuesday
    const contacts = [];
    for (const locale of locales) {
      const contact = await server.call('POST', '/v1/contacts', {
        email: `ana.${locale}@example.com`,
        firstName: 'Ana',
        lastName: 'Rusu',
        locale,
        timezone: 'Europe/Chisinau',
      });
      await server.call('POST', `/v1/sequences/${sequence.key}/enrollments`, { contactId: contact.id, startAt });
      contacts.push(contact.id);
    }
    const calendar = await server.call('GET', `/v1/sequences/${sequence.key}/calendar?contactId=${contacts[0]}`);
    for (const step of calendar.steps) {
      await server.call('POST', '/v1/scheduler/run', { now: step.plannedAt });
    }
  } finally {
    await server.stop();
  }
  return path.join(dataDir, 'outbox');
}

let entries = [];
let scratch;
try {
  const targets = [...args];
  if (campaignFile) {
    scratch = keep ?? (await mkdtemp(path.join(os.tmpdir(), 'spam-score-')));
    targets.push(await renderCampaign(campaignFile, scratch));
  }
  if (targets.length === 0) {
    console.error(
      'usage: node scripts/spam-score.js [--max 1.0] [--campaign campaign.json [--keep DIR]] [file.eml|dir ...]',
    );
    process.exit(2);
  }
  for (const target of targets) {
    for (const file of await emlFiles(target)) {
      const raw = await readFile(file);
      const headers = raw.toString('utf8', 0, Math.min(raw.length, 16_384)).replace(/\r?\n[ \t]+/g, ' ');
      const to = /^To: (.*)$/m.exec(headers)?.[1] ?? '';
      const subject = /^Subject: (.*)$/m.exec(headers)?.[1] ?? '';
      entries.push({ label: `${path.basename(file)}  To: ${to}  Subject: ${subject}`, raw });
    }
  }
  const ok = await report(entries);
  process.exitCode = ok ? 0 : 1;
} finally {
  if (scratch && !keep) await rm(scratch, { recursive: true, force: true });
}
