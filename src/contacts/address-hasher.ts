import { Injectable } from '@nestjs/common';
import { TokenService } from '../tracking/token.service.js';

/**
 * The one spelling of an address that suppression compares: trimmed, NFC, lower-cased (contacts are unique by
 * lower(email), so two spellings of one contact must hash alike; NFC only widens what counts as the same).
 */
export function normaliseAddress(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** Keyed hashes of addresses: recognisable with the server's secret, unreadable (and not guessable) without it. */
@Injectable()
export class AddressHasher {
  constructor(private readonly tokens: TokenService) {}

  hash(email: string): string {
    return this.tokens.keyedHash('address', normaliseAddress(email));
  }
}
