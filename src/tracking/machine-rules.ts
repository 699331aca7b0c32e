import type { Request } from 'express';

/**
 * What we take for a machine rather than the person the email was for. Machine opens and clicks are kept
 * (tracking_events.machine, deliveries.machine_open_count / machine_click_count) for ops, but they never
 * set a delivery's opened_at / clicked_at, which are what the funnel and the delivery log count.
 *
 * - Known fetchers: mail-privacy proxies and security gateways fetch every image or link before a person
 *   does. Apple's proxy fetches from 17.0.0.0/8 with a bare user agent; scanners name themselves.
 * - HEAD: link checkers ask whether a link works without following it. Answered like GET, recorded never.
 * - A click within MIN_HUMAN_CLICK_DELAY_MS of the send: receiving, opening, reading and clicking takes a
 *   person longer; a gateway that follows links on arrival does not. `sent_at` is the start of the pass
 *   that sent the message, at or before the moment it left, so the rule can miss a fast scanner in a long
 *   pass but never takes a person for one.
 * - Clicks on different links of one email less than BURST_WINDOW_MS apart: a scanner following every link
 *   at once. All the clicks of the burst are machine ones, including the first (reclassified when the
 *   second arrives). The same link twice is not a burst: people double-click.
 * Opens have no timing rule: a person with their mailbox open may well load the images within seconds.
 */
export const MIN_HUMAN_CLICK_DELAY_MS = 10_000;
export const BURST_WINDOW_MS = 1_000;

export function looksAutomated(request: Request): boolean {
  const agent = request.headers['user-agent'] ?? '';
  const ip = request.ip ?? '';
  if (/^(::ffff:)?17\./.test(ip)) return true;
  if (agent === '' || agent === 'Mozilla/5.0') return true;
  return /(barracuda|mimecast|proofpoint|symantec|forcepoint|bot|crawler|spider|preview)/i.test(agent);
}
