#!/usr/bin/env node
// The first run's data, through the API: the online-school example (templates/examples/webinar-school/campaign.json:
// its segments, ru/ro/en templates and 7-step touchpoint calendar, activated), sample contacts and their events.
// On a server started with SCHEDULER_TEST_CLOCK=true it then plays the next weeks out with the test clock, pass by
// pass, so the funnel shows sends, drops and conversions at once; otherwise day 0's e-mails go out now and it says
// how to see the rest. When the server writes its e-mails to DATA_DIR/outbox (no SMTP_URL), about half of them are
// then read as a person would (their tracking image), so the funnel has opens too.
//
// Usage: npm run demo:load [-- --url http://localhost:3000]
//   server: --url, else TOUCHPOINT_URL, else http://localhost:$PORT (PORT as the server's, default 3000)
//   key:    ADMIN_API_KEY, else the key a server started without one keeps in $DATA_DIR/admin-key (DATA_DIR ./data)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openSomeMessages } from './demo-opens.js';
import { sampleContacts, sampleStory, STORY_SPAN_MS, STORY_STEP_MS } from './demo-sample.js';

const { values: args } = parseArgs({ options: { url: { type: 'string' } } });
const base = (args.url ?? process.env.TOUCHPOINT_URL ?? `http://localhost:${process.env.PORT || 3000}`).replace(
  /\/+$/,
  '',
);
const dataDir = path.resolve(process.env.DATA_DIR || './data');
const keyFile = path.join(dataDir, 'admin-key');
const key =
  process.env.ADMIN_API_KEY?.split(',')[0].trim() ||
  (await readFile(keyFile, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  ));
if (!key) {
  console.error(
    `Set ADMIN_API_KEY, or run this beside a server started without it (it keeps its generated key in ${keyFile}).`,
  );
  process.exit(2);
}
const campaign = JSON.parse(
  await readFile(new URL('../templates/examples/webinar-school/campaign.json', import.meta.url), 'utf8'),
);

async function call(method, pathname, body) {
  const response = await fetch(`${base}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((error) => {
    console.error(
      `Cannot reach the server at ${base} (${error.cause?.code ?? error.message}): start it, or pass --url.`,
    );
    process.exit(1);
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function expect(status, method, pathname, body) {
  const reply = await call(method, pathname, body);
  if (reply.status === 401) {
    console.error(`The server refused the admin key (401): is ${base} the server whose key this is?`);
    process.exit(1);
  }
  if (reply.status !== status) throw new Error(`${method} ${pathname}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Create, or replace when it exists already, so the script can be re-run. */
async function put(collection, item) {
  const created = await call('POST', `/v1/${collection}`, item);
  if (created.status === 201) return `created ${collection}/${item.key}`;
  if (created.status !== 409)
    throw new Error(`${collection}/${item.key}: ${created.status} ${JSON.stringify(created.body)}`);
  const { key: _key, ...rest } = item;
  await expect(200, 'PUT', `/v1/${collection}/${item.key}`, rest);
  return `updated ${collection}/${item.key}`;
}

for (const segment of campaign.segments) console.log(await put('segments', segment));
for (const template of campaign.templates) console.log(await put('templates', template));
console.log(await put('sequences', campaign.sequence));
const activated = await call('POST', `/v1/sequences/${campaign.sequence.key}/activate`);
console.log(
  activated.status === 200 ? `activated sequences/${campaign.sequence.key}` : `sequence is ${activated.body?.message}`,
);

const contacts = sampleContacts();
const imported = await expect(200, 'POST', '/v1/contacts/import', contacts);
console.log(`contacts: ${imported.created} created, ${imported.updated} updated`);

// Day 0 is now. A first pass as of now tells whether this server lets the test clock move.
const dayZero = Math.floor(Date.now() / 60_000) * 60_000;
const probe = await call('POST', '/v1/scheduler/run', { now: new Date(dayZero).toISOString() });
const testClock = probe.status === 200;
const events = sampleStory(contacts, dayZero, { withFuture: testClock });
const totals = { claimed: 0, sent: 0, failed: 0, skipped: 0, deferred: 0 };
const add = (pass) => Object.keys(totals).forEach((name) => (totals[name] += pass[name] ?? 0));
let told = 0;
const tell = async (until) => {
  for (; told < events.length && Date.parse(events[told].occurredAt) <= until; told++) {
    await expect(202, 'POST', '/v1/events', events[told]);
  }
};

if (testClock) {
  // Every event is told when the simulated time reaches it, and a pass runs every few simulated hours, so each
  // step is sent near its due time (a pass far after it would skip it as late) and each conversion is attributed
  // to the e-mails sent before it.
  let passes = 0;
  for (let now = dayZero; now <= dayZero + STORY_SPAN_MS; now += STORY_STEP_MS, passes++) {
    await tell(now);
    add(await expect(200, 'POST', '/v1/scheduler/run', { now: new Date(now).toISOString() }));
  }
  console.log(
    `test clock: ${passes} passes from ${new Date(dayZero).toISOString()} to ${new Date(dayZero + STORY_SPAN_MS).toISOString()}`,
  );
} else {
  await tell(dayZero);
  add(await expect(200, 'POST', '/v1/scheduler/run'));
  console.log(
    "The server's clock is real (SCHEDULER_TEST_CLOCK is off): day 0's e-mails went out now, the later steps go out " +
      'on their days. To watch the whole calendar play out at once, start a server with SCHEDULER_TEST_CLOCK=true ' +
      '(e.g. SCHEDULER_TEST_CLOCK=true DATA_DIR=./data-demo npm start, on a DATA_DIR of its own) and run npm run demo:load again.',
  );
}
console.log(
  `events: ${told} told; sent ${totals.sent}, skipped ${totals.skipped}, deferred ${totals.deferred}, failed ${totals.failed}`,
);
const opened = await openSomeMessages(path.join(dataDir, 'outbox'), base, 0.55);
if (opened !== undefined) console.log(`opens: ${opened} of the e-mails in ${path.join(dataDir, 'outbox')} read`);
const funnel = await expect(200, 'GET', `/v1/sequences/${campaign.sequence.key}/funnel`);
const { enrolled, active, converted, conversionRate } = funnel.totals;
console.log(
  `funnel: ${enrolled} enrolled, ${active} active, ${converted} converted (${Math.round(conversionRate * 1000) / 10}%)` +
    (funnel.biggestDrop ? `; biggest drop after ${funnel.biggestDrop.step} (${funnel.biggestDrop.lost})` : ''),
);
console.log(`Open ${base}/ (the studio) and sign in with the admin key.`);
