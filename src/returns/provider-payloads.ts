import {
  address,
  array,
  malformed,
  object,
  optionalText,
  ourMessageId,
  type ParsedWebhook,
  parseGeneric,
  type ProviderEvent,
  text,
} from './provider-events.js';

/*
 * Each provider's documented webhook JSON for bounces, soft bounces and complaints, read into ProviderEvents.
 * Events of other kinds (deliveries, opens, clicks) are accepted and ignored whatever else they carry; an
 * event of a kind we act on must have the fields we act on, or the whole body is refused.
 */

const join = (...parts: Array<string | null | undefined>): string | null =>
  parts.filter((part): part is string => !!part && part.trim() !== '').join(': ') || null;

/**
 * Amazon SES through SNS: an SNS envelope (`Type`: Notification, SubscriptionConfirmation…) whose `Message` is the
 * SES notification as JSON text; `notificationType` (or `eventType` with event publishing) Bounce or Complaint. A
 * Permanent bounce is hard; Transient and Undetermined are soft. SES rewrites the Message-ID, so ours is read
 * from `mail.commonHeaders.messageId`. An SES notification posted without the envelope (raw delivery) is read too.
 */
export function parseSes(body: unknown): ParsedWebhook {
  const envelope = object(body, 'body');
  if (envelope.Type === undefined) return { events: sesNotification(envelope) };
  const type = text(envelope.Type, 'Type');
  if (type === 'SubscriptionConfirmation')
    return { events: [], subscribeUrl: text(envelope.SubscribeURL, 'SubscribeURL') };
  if (type !== 'Notification') return { events: [] };
  let message: unknown;
  try {
    message = JSON.parse(text(envelope.Message, 'Message'));
  } catch {
    malformed('Message must be the SES notification as JSON text');
  }
  return { events: sesNotification(object(message, 'Message')) };
}

function sesNotification(message: Record<string, unknown>): ProviderEvent[] {
  const type = text(message.notificationType ?? message.eventType, 'Message.notificationType');
  const mail = message.mail === undefined ? {} : object(message.mail, 'Message.mail');
  const headers = mail.commonHeaders === undefined ? {} : object(mail.commonHeaders, 'Message.mail.commonHeaders');
  const messageId = ourMessageId(headers.messageId);
  if (type === 'Bounce') {
    const bounce = object(message.bounce, 'Message.bounce');
    const bounceType = text(bounce.bounceType, 'Message.bounce.bounceType');
    const subType = optionalText(bounce.bounceSubType, 'Message.bounce.bounceSubType');
    return array(bounce.bouncedRecipients, 'Message.bounce.bouncedRecipients').map((item, index) => {
      const recipient = object(item, `Message.bounce.bouncedRecipients[${index}]`);
      return {
        email: address(recipient.emailAddress, `Message.bounce.bouncedRecipients[${index}].emailAddress`),
        kind: bounceType === 'Permanent' ? 'bounce' : 'soft-bounce',
        messageId,
        diagnostic: join(
          [bounceType, subType].filter(Boolean).join('/'),
          optionalText(recipient.diagnosticCode, 'diagnosticCode') ?? optionalText(recipient.status, 'status'),
        ),
      };
    });
  }
  if (type === 'Complaint') {
    const complaint = object(message.complaint, 'Message.complaint');
    const feedbackType = optionalText(complaint.complaintFeedbackType, 'Message.complaint.complaintFeedbackType');
    return array(complaint.complainedRecipients, 'Message.complaint.complainedRecipients').map((item, index) => ({
      email: address(
        object(item, `Message.complaint.complainedRecipients[${index}]`).emailAddress,
        `Message.complaint.complainedRecipients[${index}].emailAddress`,
      ),
      kind: 'complaint',
      messageId,
      diagnostic: join('complaint', feedbackType),
    }));
  }
  return [];
}

const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress']);
const POSTMARK_SOFT = new Set(['Transient', 'SoftBounce', 'DnsError', 'Blocked', 'DMARCPolicy', 'Unknown']);

/**
 * Postmark: one record per request. `RecordType` Bounce with `Type` HardBounce or BadEmailAddress is hard,
 * Transient, SoftBounce, DnsError, Blocked… soft, and SpamComplaint (a record type, and once a bounce type) a
 * complaint; auto-responders, subscription changes and the like are not bounces. Postmark's MessageID is its
 * own, so the contact is found by address. The legacy bounce hook sends no RecordType.
 */
export function parsePostmark(body: unknown): ParsedWebhook {
  const record = object(body, 'body');
  const recordType = record.RecordType === undefined ? 'Bounce' : text(record.RecordType, 'RecordType');
  if (recordType !== 'Bounce' && recordType !== 'SpamComplaint') return { events: [] };
  const type = recordType === 'SpamComplaint' ? 'SpamComplaint' : text(record.Type, 'Type');
  const kind = type === 'SpamComplaint' ? 'complaint' : POSTMARK_HARD.has(type) ? 'bounce' : 'soft-bounce';
  if (kind === 'soft-bounce' && !POSTMARK_SOFT.has(type)) return { events: [] };
  return {
    events: [
      {
        email: address(record.Email, 'Email'),
        kind,
        messageId: null,
        diagnostic: join(
          type,
          optionalText(record.Details, 'Details') ?? optionalText(record.Description, 'Description'),
        ),
      },
    ],
  };
}

/**
 * SendGrid's Event Webhook: an array of events. `bounce` is hard unless its `type` is `blocked` (soft), `deferred`
 * is soft, `spamreport` a complaint. `smtp-id` is the Message-ID of an email sent over SMTP: ours.
 */
export function parseSendgrid(body: unknown): ParsedWebhook {
  return {
    events: array(body, 'body').map((item, index): ProviderEvent => {
      const event = object(item, `[${index}]`);
      const name = text(event.event, `[${index}].event`);
      const kind =
        name === 'bounce'
          ? event.type === 'blocked'
            ? 'soft-bounce'
            : 'bounce'
          : name === 'deferred'
            ? 'soft-bounce'
            : name === 'spamreport'
              ? 'complaint'
              : null;
      if (!kind) return { email: null, kind: null, messageId: null, diagnostic: null };
      return {
        email: address(event.email, `[${index}].email`),
        kind,
        messageId: ourMessageId(event['smtp-id']),
        diagnostic: join(
          optionalText(event.status, `[${index}].status`),
          optionalText(event.reason ?? event.response, `[${index}].reason`),
        ),
      };
    }),
  };
}

/**
 * Mailgun: `{ signature, "event-data": {...} }` (or the event's fields at the top level, as account webhooks
 * post them). `failed` with severity `permanent` is hard — but for reason `old` (Mailgun gave up retrying),
 * which says nothing of the address — `temporary` soft; `complained` a complaint.
 */
export function parseMailgun(body: unknown): ParsedWebhook {
  const outer = object(body, 'body');
  const data = outer['event-data'] === undefined ? outer : object(outer['event-data'], 'event-data');
  const name = text(data.event, 'event-data.event');
  if (name !== 'failed' && name !== 'complained') return { events: [] };
  const message = data.message === undefined ? {} : object(data.message, 'event-data.message');
  const headers = message.headers === undefined ? {} : object(message.headers, 'event-data.message.headers');
  const status = data['delivery-status'] === undefined ? {} : object(data['delivery-status'], 'delivery-status');
  const severity = name === 'failed' ? text(data.severity, 'event-data.severity') : null;
  const reason = optionalText(data.reason, 'event-data.reason');
  return {
    events: [
      {
        email: address(data.recipient, 'event-data.recipient'),
        kind:
          name === 'complained' ? 'complaint' : severity === 'permanent' && reason !== 'old' ? 'bounce' : 'soft-bounce',
        messageId: ourMessageId(headers['message-id']),
        diagnostic: join(
          [severity, reason].filter(Boolean).join(' ') || 'complained',
          optionalText(status.code, 'delivery-status.code'),
          optionalText(status.description, 'delivery-status.description') ??
            optionalText(status.message, 'delivery-status.message'),
        ),
      },
    ],
  };
}

export const PROVIDERS: Readonly<Record<string, (body: unknown) => ParsedWebhook>> = {
  ses: parseSes,
  postmark: parsePostmark,
  sendgrid: parseSendgrid,
  mailgun: parseMailgun,
  generic: parseGeneric,
};
