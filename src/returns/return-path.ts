import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TokenService } from '../tracking/token.service.js';

/** The local part's fixed start: `bounce+<token>@BOUNCE_DOMAIN`. */
const PREFIX = 'bounce+';
/** 80 bits of HMAC: unguessable by anyone trying tokens at RCPT, and the local part stays at 60 characters (≤ 64). */
const MAC_HEX = 20;
const TOKEN = new RegExp(`^([0-9a-f]{32})-([0-9a-f]{${MAC_HEX}})$`);

/**
 * Per-delivery envelope senders (VERP): returned mail for one email comes back to an address that names its
 * delivery, signed so nobody can make one up. The token is lower-case hex, since relays may change the case
 * of a local part: the delivery id without dashes, a dash, and a keyed hash (the tracking tokens' secret,
 * its own purpose) of the id.
 */
@Injectable()
export class ReturnPath {
  constructor(
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether emails carry a per-delivery return path: only when something listens for what comes back. */
  get enabled(): boolean {
    return this.config.bounceSmtpPort !== undefined;
  }

  address(deliveryId: string): string {
    const id = deliveryId.replaceAll('-', '').toLowerCase();
    return `${PREFIX}${id}-${this.mac(id)}@${this.config.bounceDomain}`;
  }

  /** The delivery a return path names, or undefined for any other address, another domain or a forged token. */
  deliveryOf(address: string): string | undefined {
    const lower = address.trim().toLowerCase();
    const at = lower.lastIndexOf('@');
    if (at < 0 || lower.slice(at + 1) !== this.config.bounceDomain) return undefined;
    const local = lower.slice(0, at);
    if (!local.startsWith(PREFIX)) return undefined;
    const match = TOKEN.exec(local.slice(PREFIX.length));
    if (!match) return undefined;
    const [, id, mac] = match;
    if (!timingSafeEqual(Buffer.from(mac), Buffer.from(this.mac(id)))) return undefined;
    return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
  }

  private mac(id: string): string {
    return this.tokens.keyedHash('return-path', id).slice(0, MAC_HEX);
  }
}
