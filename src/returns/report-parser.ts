/**
 * Reads the two kinds of returned mail the bounce listener acts on, pure: a delivery status notification
 * (RFC 3464: multipart/report; report-type=delivery-status) and an abuse report (RFC 5965 ARF:
 * multipart/report; report-type=feedback-report). Only the machine-readable part is read, never the prose
 * around it: what a human-readable part says differs by every MTA, the fields do not.
 */

export interface Verdict {
  kind: 'bounce' | 'soft-bounce' | 'complaint';
  diagnostic: string;
}

type Fields = Map<string, string>;

interface Part {
  headers: Fields;
  body: string;
}

/** How deep a report may sit in multiparts (a forwarded ARF is one level down); deeper is not a report. */
const MAX_DEPTH = 3;
/** ARF feedback types that are a person's complaint (RFC 5965, 6650); not-spam and virus are not. */
const COMPLAINT_TYPES = new Set(['abuse', 'fraud']);

/** What a returned message says about its delivery, or undefined when it is no report we act on. */
export function readReport(raw: string): Verdict | undefined {
  return verdictOf(splitPart(raw), 0);
}

function verdictOf(part: Part, depth: number): Verdict | undefined {
  const type = contentType(part.headers);
  if (!type.value.startsWith('multipart/') || depth > MAX_DEPTH) return undefined;
  const children = multipartChildren(part.body, type.params.get('boundary'));
  const reportType = type.value === 'multipart/report' ? type.params.get('report-type')?.toLowerCase() : undefined;
  if (reportType === 'delivery-status') {
    const status = children.find((child) => contentType(child.headers).value === 'message/delivery-status');
    return status ? deliveryStatusVerdict(decode(status)) : undefined;
  }
  if (reportType === 'feedback-report') {
    const feedback = children.find((child) => contentType(child.headers).value === 'message/feedback-report');
    return feedback ? feedbackVerdict(decode(feedback)) : undefined;
  }
  for (const child of children) {
    const found = verdictOf(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * RFC 3464 §2.3: per-recipient blocks after the per-message one. A 5.x.x status of a recipient that failed is
 * a hard bounce; a 4.x.x (delayed, or failed for now) is noted only; 2.x.x (delivered, relayed) says nothing.
 */
function deliveryStatusVerdict(text: string): Verdict | undefined {
  const blocks = text.split(/\r?\n[ \t]*\r?\n/).map(parseFields);
  let soft: Verdict | undefined;
  // The per-message block has no Status field, so every block can be read alike.
  for (const block of blocks) {
    const status = /^([245])\.\d{1,3}\.\d{1,3}/.exec(block.get('status') ?? '');
    if (!status) continue;
    const action = (block.get('action') ?? '').toLowerCase();
    const diagnostic = [status[0], block.get('diagnostic-code')].filter(Boolean).join(' ');
    if (status[1] === '5' && (action === '' || action === 'failed')) return { kind: 'bounce', diagnostic };
    if (status[1] === '4') soft ??= { kind: 'soft-bounce', diagnostic };
  }
  return soft;
}

function feedbackVerdict(text: string): Verdict | undefined {
  const fields = parseFields(text);
  const type = (fields.get('feedback-type') ?? '').toLowerCase();
  if (!COMPLAINT_TYPES.has(type)) return undefined;
  const agent = fields.get('user-agent');
  return { kind: 'complaint', diagnostic: `feedback-type ${type}${agent ? ` from ${agent}` : ''}` };
}

/** Header fields (unfolded, names lower-cased; a repeated field keeps its first value). */
function parseFields(text: string): Fields {
  const fields: Fields = new Map();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}

function splitPart(text: string): Part {
  const end = /\r?\n\r?\n/.exec(text);
  if (!end) return { headers: parseFields(text), body: '' };
  return { headers: parseFields(text.slice(0, end.index)), body: text.slice(end.index + end[0].length) };
}

/** `type/subtype; name=value; name="quoted value"`, lower-cased type and parameter names. */
function contentType(headers: Fields): { value: string; params: Map<string, string> } {
  const [value, ...rest] = (headers.get('content-type') ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const equals = param.indexOf('=');
    if (equals < 0) continue;
    const raw = param.slice(equals + 1).trim();
    params.set(param.slice(0, equals).trim().toLowerCase(), raw.replace(/^"(.*)"$/s, '$1'));
  }
  return { value: value.trim().toLowerCase(), params };
}

function multipartChildren(body: string, boundary: string | undefined): Part[] {
  if (!boundary) return [];
  const delimiter = `--${boundary}`;
  const parts: Part[] = [];
  const lines = body.split(/\r?\n/);
  let current: string[] | undefined;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(splitPart(current.join('\n')));
      if (trimmed !== delimiter) break;
      current = [];
    } else {
      current?.push(line);
    }
  }
  return parts;
}

/** A part's text, base64 or quoted-printable decoded (report parts are usually 7bit). */
function decode(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return part.body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return part.body;
}
