import { BlockList, isIP } from 'node:net';

/**
 * Addresses no contact can reach: loopback, private (RFC 1918, unique local), link-local, unspecified and the
 * shared address space of carrier NAT. An IPv4-mapped IPv6 address (::ffff:10.0.0.1) matches its IPv4 range.
 */
const UNREACHABLE_FROM_OUTSIDE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  UNREACHABLE_FROM_OUTSIDE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  UNREACHABLE_FROM_OUTSIDE.addSubnet(network, prefix, 'ipv6');
}

/**
 * Why a contact could not follow a link to `url`'s host, or undefined when it may be public. Names are not
 * resolved (a boot must not depend on DNS): only `localhost` and `*.localhost` (RFC 6761) are known by name.
 */
export function privateHostReason(url: string): string | undefined {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  const address = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(address);
  if (family === 0) {
    return host === 'localhost' || host.endsWith('.localhost') ? `${host} is this machine` : undefined;
  }
  return UNREACHABLE_FROM_OUTSIDE.check(address, family === 4 ? 'ipv4' : 'ipv6')
    ? `${address} is a loopback, private or link-local address`
    : undefined;
}

export interface DeploymentSettings {
  nodeEnv: string;
  smtpUrl: string | undefined;
  outboxOnly: boolean;
  /** PUBLIC_URL when valid; undefined when unset or already reported as invalid. */
  publicUrl: string | undefined;
  /** Whether PUBLIC_URL was given at all (an invalid one is reported by the URL check). */
  publicUrlGiven: boolean;
}

/**
 * What could send mail nowhere without anyone noticing, each problem naming its variable. In production: mail
 * that would only be written to .eml files, and tracking and unsubscribe links no recipient can open.
 */
export function deploymentProblems(settings: DeploymentSettings): string[] {
  const problems: string[] = [];
  if (settings.outboxOnly && settings.smtpUrl) {
    problems.push(
      'OUTBOX_ONLY=true and SMTP_URL are both set: unset one (OUTBOX_ONLY writes every email to DATA_DIR/outbox)',
    );
  }
  if (settings.nodeEnv !== 'production') return problems;
  if (!settings.smtpUrl && !settings.outboxOnly) {
    problems.push(
      'SMTP_URL must be set when NODE_ENV=production (without it every email is only written to DATA_DIR/outbox); ' +
        'set OUTBOX_ONLY=true if that is what you want',
    );
  }
  if (!settings.publicUrlGiven) {
    problems.push(
      'PUBLIC_URL must be set when NODE_ENV=production: it is the base of the tracking and unsubscribe links in every email',
    );
  } else if (settings.publicUrl !== undefined) {
    const reason = privateHostReason(settings.publicUrl);
    if (reason) {
      problems.push(
        `PUBLIC_URL must be an address your recipients can reach when NODE_ENV=production (${reason}); ` +
          'its unsubscribe and tracking links would be dead in every email',
      );
    }
  }
  return problems;
}
