#!/usr/bin/env node
// Creates the online-school example (templates/examples/webinar-school/campaign.json) through the API:
// its segments, its ru/ro/en templates and the 7-step touchpoint calendar, then activates it.
// Usage: ADMIN_API_KEY=... [TOUCHPOINT_URL=http://localhost:3000] npm run demo:load
import { readFile } from 'node:fs/promises';

const base = (process.env.TOUCHPOINT_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const key = process.env.ADMIN_API_KEY;
if (!key) {
  console.error('Set ADMIN_API_KEY (the server logs a generated one at start when none is configured).');
  process.exit(2);
}
const campaign = JSON.parse(
  await readFile(new URL('../templates/examples/webinar-school/campaign.json', import.meta.url), 'utf8'),
);

async function call(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Create, or replace when it exists already, so the script can be re-run. */
async function put(collection, item) {
  const created = await call('POST', `/v1/${collection}`, item);
  if (created.status === 201) return `created ${collection}/${item.key}`;
  if (created.status !== 409)
    throw new Error(`${collection}/${item.key}: ${created.status} ${JSON.stringify(created.body)}`);
  const { key: _key, ...rest } = item;
  const replaced = await call('PUT', `/v1/${collection}/${item.key}`, rest);
  if (replaced.status !== 200)
    throw new Error(`${collection}/${item.key}: ${replaced.status} ${JSON.stringify(replaced.body)}`);
  return `updated ${collection}/${item.key}`;
}

for (const segment of campaign.segments) console.log(await put('segments', segment));
for (const template of campaign.templates) console.log(await put('templates', template));
console.log(await put('sequences', campaign.sequence));
const activated = await call('POST', `/v1/sequences/${campaign.sequence.key}/activate`);
console.log(
  activated.status === 200 ? `activated sequences/${campaign.sequence.key}` : `sequence is ${activated.body?.message}`,
);
