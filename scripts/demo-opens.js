// Opens for `npm run demo:load`: a server without SMTP_URL writes each e-mail to DATA_DIR/outbox, and reading some
// of them as a person would (loading the tracking image) gives the funnel its opens. Clicks are left alone: a click
// before the (simulated) send is a machine's by the tracking rules, and would not count anyway.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const PIXEL = /\/t\/o\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/;

/** The message's tracking-image token: its HTML part is quoted-printable (soft line breaks, `=3D`). */
function pixelToken(eml) {
  const decoded = eml.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
  return PIXEL.exec(decoded)?.[1];
}

/** Whether this message is one the sample audience opens: the same ones every run, about `share` of them. */
function opens(name, share) {
  return createHash('sha256').update(name).digest()[0] < share * 256;
}

/**
 * Loads the tracking image of about `share` of the messages in `outbox` from the server at `base`; how many were
 * opened, or undefined when there is no outbox here (the server sends by SMTP, or runs elsewhere).
 */
export async function openSomeMessages(outbox, base, share) {
  const names = await readdir(outbox).catch(() => undefined);
  if (!names) return undefined;
  let opened = 0;
  for (const name of names.filter((entry) => entry.endsWith('.eml') && opens(entry, share))) {
    const token = pixelToken(await readFile(path.join(outbox, name), 'utf8'));
    if (!token) continue;
    // A person's mail client: the tracking rules take bare or bot-like user agents for machines.
    const response = await fetch(`${base}/t/o/${token}`, {
      headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Thunderbird/128.0 (npm run demo:load)' },
    });
    if (response.ok) opened++;
  }
  return opened;
}
