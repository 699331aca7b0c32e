import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { parse as csvParser } from 'csv-parse';
import { FORBIDDEN_JSON_KEYS, parseJsonText } from '../common/json-body.js';
import { nulFieldIn } from '../common/validation.js';
import { MAX_IMPORT_ROWS } from './contact.service.js';
import { ContactErrorCode, ContactException } from './contact.exception.js';

/** API.md: bodies up to 20 MB are accepted for the import, and no more than 10,000 rows. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/** The same reading of the CSV as the service's (so the row counted here is the row it numbers). */
const CSV_OPTIONS = { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true } as const;

export interface ImportBody {
  body: unknown;
  contentType: string | undefined;
}

/**
 * Reads the import's body as a stream and stops as soon as it is refused: past 20 MB, or past 10,000 CSV
 * rows (a 2.4M-row CSV used to be parsed whole, 12.6 s, before the row count refused it), or a JSON array
 * counted past 10,000 elements before it is parsed. A NUL character (which PostgreSQL cannot store in
 * text) is refused naming its row and field. Other content types are left to the service to refuse.
 */
export async function readImportBody(request: IncomingMessage): Promise<ImportBody> {
  // The media type alone, lower-cased: the service tells CSV from JSON by it, and `Text/CSV` is CSV too.
  const contentType = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (contentType === 'text/csv') return { body: await readCsv(request), contentType };
  if (contentType === 'application/json') return { body: await readJson(request), contentType };
  return { body: undefined, contentType };
}

async function readCsv(request: IncomingMessage): Promise<string> {
  const parts: string[] = [];
  let records = 0;
  let nul: string | undefined;
  let badHeader: string | undefined;
  let failure: Error | undefined;
  const parser = csvParser({
    ...CSV_OPTIONS,
    on_record: (cells: string[]) => {
      records += 1;
      // A column named like a prototype key would be looked up on, or written to, an object's prototype.
      if (records === 1) {
        badHeader = cells.find((name) => FORBIDDEN_JSON_KEYS.has(name.toLowerCase().replace(/^attributes\./, '')));
      }
      const column = cells.findIndex((cell) => cell.includes('\0'));
      if (column >= 0 && nul === undefined) {
        nul = records === 1 ? `the header's column ${column + 1}` : `row ${records - 1}, column ${column + 1}`;
      }
      return null; // counted, not kept: the service parses the text it is given
    },
  });
  parser.on('error', (error: Error) => (failure = error));
  parser.resume();
  const refusal = (): Error | undefined => {
    if (failure) return new ContactException(ContactErrorCode.IMPORT_INVALID, [`CSV is malformed: ${failure.message}`]);
    if (badHeader !== undefined) {
      return new ContactException(ContactErrorCode.IMPORT_INVALID, [
        `CSV header must not use the column name "${badHeader}"`,
      ]);
    }
    if (nul)
      return new ContactException(ContactErrorCode.IMPORT_INVALID, [
        `CSV ${nul} must not contain the NUL character (\\u0000)`,
      ]);
    if (records > MAX_IMPORT_ROWS + 1) {
      return new ContactException(ContactErrorCode.IMPORT_INVALID, [
        `at most ${MAX_IMPORT_ROWS} contacts per import call; this CSV has more than ${MAX_IMPORT_ROWS} rows`,
      ]);
    }
    return undefined;
  };
  await readText(request, (text) => {
    parts.push(text);
    parser.write(text);
    return refusal();
  });
  parser.end();
  await finished(parser).catch(() => undefined);
  const last = refusal();
  if (last) throw last;
  return parts.join('');
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const parts: string[] = [];
  await readText(request, (text) => {
    parts.push(text);
    return undefined;
  });
  const text = parts.join('');
  const elements = countArrayElements(text);
  if (elements !== undefined && elements > MAX_IMPORT_ROWS) {
    throw new ContactException(ContactErrorCode.IMPORT_INVALID, [
      `at most ${MAX_IMPORT_ROWS} contacts per import call, got ${elements}`,
    ]);
  }
  const body = parseJsonText(text);
  if (Array.isArray(body)) {
    for (const [index, row] of body.entries()) {
      const field = nulFieldIn(row, '', 'the row');
      if (field !== undefined) {
        throw new ContactException(ContactErrorCode.IMPORT_INVALID, [
          `row ${index + 1}: ${field} must not contain the NUL character (\\u0000)`,
        ]);
      }
    }
  }
  return body;
}

/**
 * The number of elements of a top-level JSON array, read from the text without building anything
 * (undefined when the text is not an array; a malformed one is left to JSON.parse to refuse).
 */
export function countArrayElements(text: string): number | undefined {
  let index = text.search(/\S/);
  if (index < 0 || text[index] !== '[') return undefined;
  let depth = 0;
  let elements = 0;
  let empty = true;
  for (; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x22 /* " */) {
      // Skip the string; an escaped quote does not end it.
      for (index++; index < text.length && text.charCodeAt(index) !== 0x22; index++) {
        if (text.charCodeAt(index) === 0x5c /* \ */) index++;
      }
      if (depth === 1) empty = false;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (depth === 1) empty = false;
      depth++;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
      if (depth === 0) break;
    } else if (depth === 1) {
      if (char === 0x2c /* , */) elements++;
      else if (char > 0x20) empty = false;
    }
  }
  return empty ? 0 : elements + 1;
}

/**
 * Feeds the body, decoded, to `take` chunk by chunk, at most 20 MB of it (after decompression); when
 * `take` returns a refusal, reading stops there and the refusal is thrown. What the client still sends is
 * then drained and dropped, so the connection stays usable and the reply is not lost to a reset.
 */
async function readText(request: IncomingMessage, take: (text: string) => Error | undefined): Promise<void> {
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_IMPORT_BYTES) {
    throw new ContactException(
      ContactErrorCode.IMPORT_TOO_LARGE,
      'Request body is too large: at most 20 MB per import call',
    );
  }
  const decoder = textDecoder(request.headers['content-type']);
  const decompressor = decompressorFor(request);
  const source = decompressor ? request.pipe(decompressor) : request;
  let bytes = 0;
  try {
    for await (const chunk of source.iterator({ destroyOnReturn: false })) {
      bytes += (chunk as Buffer).length;
      if (bytes > MAX_IMPORT_BYTES) {
        throw new ContactException(
          ContactErrorCode.IMPORT_TOO_LARGE,
          'Request body is too large: at most 20 MB per import call',
        );
      }
      const refusal = take(decoder.decode(chunk as Buffer, { stream: true }));
      if (refusal) throw refusal;
    }
    const refusal = take(decoder.decode());
    if (refusal) throw refusal;
  } catch (error) {
    if (decompressor) {
      request.unpipe(decompressor);
      decompressor.destroy();
    }
    request.resume();
    throw isZlibError(error)
      ? new ContactException(
          ContactErrorCode.IMPORT_INVALID,
          `Request body is not valid ${request.headers['content-encoding']} data`,
        )
      : error;
  }
}

function textDecoder(contentType: string | undefined): TextDecoder {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset);
  } catch {
    throw new ContactException(ContactErrorCode.IMPORT_UNSUPPORTED, `unsupported charset "${charset}"`);
  }
}

function decompressorFor(request: IncomingMessage): Transform | undefined {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  const decompressor =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (encoding !== 'identity' && !decompressor) {
    throw new ContactException(ContactErrorCode.IMPORT_UNSUPPORTED, `unsupported content encoding "${encoding}"`);
  }
  return decompressor;
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
