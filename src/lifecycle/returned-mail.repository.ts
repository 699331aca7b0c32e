import { type Queryable, queryRows } from '../database/sql.js';
import { type ContactStatus, END_BY_CONTACT_STATUS } from './enrollment-lifecycle.js';
import { endRunningEnrollments } from './enrollment-lifecycle.repository.js';

/** What returned mail can make of a contact: a hard bounce or a complaint, from whichever source. */
export type ReturnedStatus = Extract<ContactStatus, 'bounced' | 'complained'>;

/** One report about an email: a hard bounce, a soft bounce (recorded, not acted on) or a complaint. */
export interface ReturnedMail {
  contactId: string;
  /** The delivery it is about, when the report names one (VERP token, Message-ID); else the contact only. */
  deliveryId: string | null;
  kind: 'bounce' | 'soft-bounce' | 'complaint';
  /** Where it came from: `smtp` (the reply at send time), `dsn`, `arf`, or a webhook provider's name. */
  source: string;
  diagnostic: string | null;
}

/**
 * The statuses each one replaces. A complaint outranks an unsubscribe (the person said more than "no more"),
 * and is what the funnel and the suppression list should remember; a bounce never replaces a person's own
 * word, and nothing brings an erased contact back.
 */
const REPLACES: Readonly<Record<ReturnedStatus, readonly ContactStatus[]>> = {
  bounced: ['active'],
  complained: ['active', 'unsubscribed'],
};

/** Diagnostics quote the recipient ("550 5.1.1 <ana@example.md>: no such user"); they outlive an erasure. */
const ADDRESS = /[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g;
const MAX_DIAGNOSTIC = 1000;

export function cleanDiagnostic(text: string | null | undefined): string | null {
  if (!text) return null;
  // PostgreSQL refuses NUL in text, and one odd report must not cost the others.
  const clean = text.replaceAll('\0', '').replace(ADDRESS, '[address]').trim().slice(0, MAX_DIAGNOSTIC);
  return clean || null;
}

/**
 * The one rule for returned mail, whatever its source (the SMTP reply at send time, a DSN or ARF report to the
 * bounce listener, a provider's webhook): each report is kept in mail_feedback (what the complaint breaker
 * counts), the delivery it names gets bouncedAt, complainedAt or softBouncedAt with the diagnostic, and a hard
 * bounce or a complaint acts on the contact (markContactsReturned). Run it in one transaction: pass its
 * EntityManager.
 */
export async function recordReturnedMail(db: Queryable, reports: ReturnedMail[], now: Date): Promise<void> {
  if (reports.length === 0) return;
  const rows = reports.map((report) => ({ ...report, diagnostic: cleanDiagnostic(report.diagnostic) }));
  await db.query(
    `INSERT INTO mail_feedback (contact_id, delivery_id, kind, source, diagnostic, received_at)
     SELECT x.contact_id, x.delivery_id, x.kind, x.source, x.diagnostic, $6
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS x(contact_id, delivery_id, kind, source, diagnostic)`,
    [
      rows.map((row) => row.contactId),
      rows.map((row) => row.deliveryId),
      rows.map((row) => row.kind),
      rows.map((row) => row.source),
      rows.map((row) => row.diagnostic),
      now,
    ],
  );
  const named = rows.filter((row) => row.deliveryId !== null);
  if (named.length > 0) {
    // The first report of each kind sets the time; the latest diagnostic is kept.
    await db.query(
      `UPDATE deliveries d SET
              bounced_at = CASE WHEN x.kind = 'bounce' THEN COALESCE(d.bounced_at, $5) ELSE d.bounced_at END,
              complained_at = CASE WHEN x.kind = 'complaint' THEN COALESCE(d.complained_at, $5) ELSE d.complained_at END,
              soft_bounced_at = CASE WHEN x.kind = 'soft-bounce' THEN COALESCE(d.soft_bounced_at, $5) ELSE d.soft_bounced_at END,
              feedback = COALESCE(x.diagnostic, d.feedback), updated_at = $5
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS x(contact_id, delivery_id, kind, diagnostic)
       WHERE d.contact_id = x.contact_id AND d.id = x.delivery_id`,
      [
        named.map((row) => row.contactId),
        named.map((row) => row.deliveryId),
        named.map((row) => row.kind),
        named.map((row) => row.diagnostic),
        now,
      ],
    );
  }
  const of = (kind: ReturnedMail['kind']) => [
    ...new Set(rows.filter((row) => row.kind === kind).map((row) => row.contactId)),
  ];
  await markContactsReturned(db, of('bounce'), 'bounced', now);
  await markContactsReturned(db, of('complaint'), 'complained', now);
}

/**
 * A hard bounce or a complaint acting on contacts: the contact takes the status and its running enrollments
 * end as that status ends them (END_BY_CONTACT_STATUS: a bounce as `bounced`, a complaint as an unsubscribe
 * does). Returns the contacts whose status changed.
 */
export async function markContactsReturned(
  db: Queryable,
  contactIds: string[],
  status: ReturnedStatus,
  now: Date,
): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const changed = await queryRows<{ id: string }>(
    db,
    `UPDATE contacts SET status = $2, status_changed_at = $3, updated_at = $3
     WHERE id = ANY($1::uuid[]) AND status = ANY($4::text[])
     RETURNING id`,
    [contactIds, status, now, REPLACES[status]],
  );
  await endRunningEnrollments(db, { contactIds }, { status: END_BY_CONTACT_STATUS[status], reason: status }, now);
  return changed.map((row) => row.id);
}
