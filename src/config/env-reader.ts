import { isIP, isIPv4 } from 'node:net';

export type Environment = Record<string, string | undefined>;

/**
 * Reads one environment variable at a time, typed and bounded; every refusal names the variable and is collected in
 * `problems`, so loadConfig reports them all at once.
 */
/** `true`/`false`, a hop count, or addresses, CIDRs and Express's names (loopback, linklocal, uniquelocal). */
export type TrustProxy = boolean | number | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Whether `entry` is an address, a CIDR or address/netmask that Express's proxy-addr accepts, or one of its names. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIPv4(range) && isContiguousNetmask(range);
}

function isContiguousNetmask(mask: string): boolean {
  const bits = mask.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const hostBits = 0xffffffff - bits;
  return (hostBits & (hostBits + 1)) === 0;
}

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return Number(value);
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.raw(name) === undefined ? undefined : this.integer(name, min, min, max);
  }

  optionalNumber(name: string, min: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) {
      this.problems.push(`${name} must be a number ≥ ${min}, got "${value}"`);
      return undefined;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push(`${name} is not a valid URL`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(
        `${name} must use ${protocols.map((p) => p.replace(':', '://')).join(' or ')}, got ${parsed.protocol}//`,
      );
      return undefined;
    }
    if (!parsed.hostname) {
      this.problems.push(`${name} must name a host`);
      return undefined;
    }
    return value;
  }

  trustProxy(name: string): TrustProxy {
    const value = this.raw(name);
    if (value === undefined) return ['loopback'];
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyEntry(entry));
    if (bad.length > 0) {
      this.problems.push(
        `${name} must be true, false, a hop count, or comma-separated addresses, CIDRs, loopback, linklocal or uniquelocal; "${bad.join('", "')}" is none of these`,
      );
      return ['loopback'];
    }
    return entries;
  }

  oneOf(name: string, fallback: string, allowed: string[]): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value;
  }
}
