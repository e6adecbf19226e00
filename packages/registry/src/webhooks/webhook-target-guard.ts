import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { invalidParameter } from '@cairn/core';
import ipaddr from 'ipaddr.js';

/** Where webhooks may deliver. */
export interface WebhookTargetPolicy {
  /**
   * Allow targets that are loopback, private, link-local, metadata or otherwise not public (MLflow's
   * `MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS`). Default false: such targets are refused at create, update and
   * delivery time.
   */
  allowPrivateTargets?: boolean;
  /** URL schemes accepted (MLflow's `MLFLOW_WEBHOOK_ALLOWED_SCHEMES`); default `['https']`, as MLflow. */
  allowedSchemes?: readonly string[];
  /** Resolves a host to its addresses; default `dns.lookup` with `all: true` (what a connection would use). */
  resolve?: (hostname: string) => Promise<readonly { address: string; family: number }[]>;
}

/** A webhook URL checked against the policy, with the address its connection must use. */
export interface WebhookTarget {
  url: URL;
  /** The host name as written (for TLS SNI and the Host header), without IPv6 brackets. */
  hostname: string;
  /** The address the connection is pinned to: the request never resolves the name again. */
  address: string;
  family: 4 | 6;
}

const defaultResolve = async (hostname: string) => lookup(hostname, { all: true, verbatim: true });

/**
 * True for an address any host on the internet could reach: not loopback, private (RFC 1918, fc00::/7),
 * link-local (169.254/16 and its metadata service, fe80::/10), CGNAT, unspecified, multicast or reserved.
 * IPv6 forms that carry an IPv4 address (mapped, 6to4, NAT64) are judged by that address.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (range === 'ipv4Mapped') parsed = v6.toIPv4Address();
    else if (range === '6to4') parsed = ipaddr.IPv4.parse(embeddedIpv4(v6, 1));
    else if (range === 'rfc6052' || range === 'rfc6145') parsed = ipaddr.IPv4.parse(embeddedIpv4(v6, 6));
    else if (range === 'teredo') return false;
  }
  return parsed.range() === 'unicast';
}

/** The IPv4 address in parts[index] and parts[index + 1] of an IPv6 address. */
function embeddedIpv4(address: ipaddr.IPv6, index: number): string {
  const high = address.parts[index] ?? 0;
  const low = address.parts[index + 1] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

const refuse = (message: string) => invalidParameter(message, { field: 'url' });

/**
 * Checks a webhook URL against the policy and resolves its host once: the scheme must be allowed, and
 * unless private targets are allowed, every address the host resolves to must be public (a name such as
 * `localhost`, and literal spellings such as `2130706433`, `0177.0.0.1` or `[::ffff:127.0.0.1]`, count by
 * the address they reach). Fails with INVALID_PARAMETER_VALUE naming `url`.
 */
export async function checkWebhookTarget(
  url: string,
  policy: WebhookTargetPolicy = {},
): Promise<WebhookTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse(`Invalid webhook 'url' '${url}': it is not an absolute URL.`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const schemes = policy.allowedSchemes ?? ['https'];
  if (!schemes.includes(scheme) || (scheme !== 'http' && scheme !== 'https')) {
    throw refuse(
      `Invalid webhook 'url' scheme '${scheme}': allowed schemes are ${schemes.join(', ')} (MLFLOW_WEBHOOK_ALLOWED_SCHEMES).`,
    );
  }
  // The WHATWG parser already turned decimal, octal and short IPv4 spellings into dotted quads.
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (hostname === '') throw refuse(`Invalid webhook 'url' '${url}': it has no host.`);
  let addresses: readonly { address: string; family: number }[];
  if (isIP(hostname) !== 0) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await (policy.resolve ?? defaultResolve)(hostname);
    } catch (error) {
      throw refuse(`Cannot resolve the webhook 'url' host '${hostname}': ${(error as Error).message}`);
    }
    if (addresses.length === 0) throw refuse(`Cannot resolve the webhook 'url' host '${hostname}'.`);
  }
  if (policy.allowPrivateTargets !== true) {
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked !== undefined) {
      throw refuse(
        `The webhook 'url' host '${hostname}' resolves to ${blocked.address}, which is not a public address; ` +
          'webhooks may not target loopback, private, link-local or metadata addresses unless the server allows private targets (--allow-private-webhook-targets / MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS).',
      );
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { url: parsed, hostname, address: first.address, family: first.family === 6 ? 6 : 4 };
}
