import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SettingsRepository } from './settings.repository.js';

export type TokenPayload =
  | { k: 'o'; d: string } // open pixel of a delivery
  | { k: 'c'; d: string; u: string } // click on a link that was in that delivery
  | { k: 'u'; d: string }; // unsubscribe from that delivery

/**
 * The longest link a click token carries, as the bytes of its JSON string. The token is the link's path, and a
 * request line of about 8 KB is what proxies in front of us accept by default (nginx: 8 KB, Node: 16 KB for
 * the whole head), so the token stays under ~5.6 KB (base64 of 4 KB and the rest of the payload). A link
 * longer than that is refused when its template is saved, or left untracked when a variable makes it that long.
 */
export const MAX_TRACKED_URL_BYTES = 4_096;
/** A token's body is refused above this length without computing its MAC: nothing we sign is longer. */
const MAX_TOKEN_BODY = 6_000;

/** Whether a click token can carry this link (see MAX_TRACKED_URL_BYTES). */
export const fitsClickToken = (url: string): boolean =>
  // A character takes at most 6 bytes in JSON (\u0000): most links are short enough to need no counting.
  url.length * 6 + 2 <= MAX_TRACKED_URL_BYTES ||
  (url.length <= MAX_TRACKED_URL_BYTES && Buffer.byteLength(JSON.stringify(url)) <= MAX_TRACKED_URL_BYTES);

/**
 * Signed, unguessable tokens for tracking and unsubscribe links: the payload travels in the token and an
 * HMAC-SHA256 over it proves we made it, so a click can only redirect to a link we put in an email.
 */
@Injectable()
export class TokenService implements OnModuleInit {
  private key!: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly settings: SettingsRepository,
  ) {}

  /** SECRET_KEY, or a key generated once and kept in the database so links survive restarts and instances. */
  async onModuleInit(): Promise<void> {
    if (this.config.secretKey) {
      this.key = Buffer.from(this.config.secretKey);
      return;
    }
    this.key = Buffer.from(await this.settings.getOrCreate('token_secret', randomBytes(32).toString('base64url')));
  }

  sign(payload: TokenPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload, or undefined for anything we did not sign. */
  verify(token: string): TokenPayload | undefined {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined || body.length > MAX_TOKEN_BODY) return undefined;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return undefined;
    }
  }

  /**
   * A keyed hash (HMAC-SHA256 with the token secret) for values that must be recognised later but never read,
   * such as a suppressed address. `purpose` separates it from token MACs: a token body (base64url) has no ':'.
   */
  keyedHash(purpose: string, value: string): string {
    return createHmac('sha256', this.key).update(`${purpose}:${value}`).digest('hex');
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
