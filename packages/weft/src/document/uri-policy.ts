/**
 * What `loadUri` may read (no SSRF or local file disclosure through a document's `uri`): `file:` URIs and plain
 * paths only under allowed roots (symlinks resolved), and `http(s):` only towards public addresses — the host's
 * every DNS address is checked, at connect time (no DNS rebinding window) and again after each redirect; loopback,
 * private, link-local (cloud metadata 169.254.169.254), CGNAT, multicast, unspecified (`0.0.0.0`, `[::]`) and
 * IPv4-mapped/NAT64/6to4 forms of them are refused with `UriRefusedError` (`WEFT_URI_REFUSED`).
 *
 * The policy is process-wide. A library process (a script, a test) starts open; every executor process (weft
 * worker) restricts it at start-up to its working directory and workspace, and to public networks. Widen it
 * with environment variables on the executor (`env:` of the Flow or executor): `WEFT_URI_FILE_ROOTS` (more roots,
 * separated by `:`; `*` for any path), `WEFT_URI_ALLOW_HOSTS` (host names reachable whatever they resolve to, by
 * commas) and `WEFT_URI_ALLOW_PRIVATE=1` (private and loopback addresses too), or per call with `loadUri(uri, { policy })`.
 */
import { realpathSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { delimiter, isAbsolute, relative, resolve } from 'node:path';
import { UriRefusedError } from '../errors/index.js';

export interface UriPolicy {
  /** Directories file: URIs and plain paths may read under; `'any'` for every path. */
  fileRoots: readonly string[] | 'any';
  /** Whether http(s) may reach loopback, private, link-local and other non-public addresses. */
  privateNetwork: boolean;
  /** Host names (as written in the URI) reachable whatever they resolve to, e.g. an internal image server. */
  allowHosts?: readonly string[];
}

const OPEN: UriPolicy = { fileRoots: 'any', privateNetwork: true };
let current: UriPolicy = OPEN;

/** The policy `loadUri` applies when a call does not pass its own. */
export function uriPolicy(): UriPolicy {
  return current;
}

/** Replace the process-wide policy (returns the previous one). */
export function setUriPolicy(policy: UriPolicy): UriPolicy {
  const previous = current;
  current = policy;
  return previous;
}

/**
 * The executor's policy: `roots` (its working directory, its workspace) plus `WEFT_URI_FILE_ROOTS`, and public
 * networks only unless `WEFT_URI_ALLOW_PRIVATE=1`.
 * @example setUriPolicy(executorUriPolicy([process.cwd()]))
 */
export function executorUriPolicy(roots: readonly string[], env: NodeJS.ProcessEnv = process.env): UriPolicy {
  const extra = (env.WEFT_URI_FILE_ROOTS ?? '').split(delimiter).filter((r) => r.length > 0);
  const allowPrivate = env.WEFT_URI_ALLOW_PRIVATE === '1' || env.WEFT_URI_ALLOW_PRIVATE === 'true';
  const hosts = (env.WEFT_URI_ALLOW_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h.length > 0);
  return {
    fileRoots: extra.includes('*') ? 'any' : [...new Set([...roots, ...extra].map((r) => resolve(r)))],
    privateNetwork: allowPrivate,
    ...(hosts.length > 0 ? { allowHosts: hosts } : {}),
  };
}

/** Refuse `path` when it is outside every root (after resolving symlinks; a missing file is the reader's to report). */
export function checkFilePath(path: string, uri: string, policy: UriPolicy): void {
  if (policy.fileRoots === 'any') return;
  const real = realOrResolved(path);
  for (const root of policy.fileRoots) {
    const rel = relative(realOrResolved(root), real);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return;
  }
  throw new UriRefusedError(
    `'${short(uri)}' is outside the directories this process may read (${policy.fileRoots.join(', ') || 'none'}); add its folder to WEFT_URI_FILE_ROOTS to allow it`,
    { details: { uri: short(uri), reason: 'file-root' } },
  );
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

const V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  V4.addSubnet(net, bits, 'ipv4');
}
const V6 = new BlockList();
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const) {
  V6.addSubnet(net, bits, 'ipv6');
}

/** Why `address` (an IP literal) is not public, or undefined when it is. */
export function nonPublicReason(address: string): string | undefined {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(a);
  if (family === 4) return V4.check(a, 'ipv4') ? 'a loopback, private, link-local or reserved IPv4 address' : undefined;
  if (family !== 6) return 'not an IP address';
  const groups = expandV6(a);
  if (!groups) return 'not an IP address';
  // an IPv4 address inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16)
  const zeros5 = groups.slice(0, 5).every((g) => g === 0);
  let embedded: number[] | undefined;
  if (zeros5 && (groups[5] === 0xffff || groups[5] === 0)) embedded = [groups[6] as number, groups[7] as number];
  else if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    embedded = [groups[6] as number, groups[7] as number];
  else if (groups[0] === 0x2002) embedded = [groups[1] as number, groups[2] as number];
  if (embedded && !(zeros5 && groups[5] === 0 && embedded[0] === 0 && (embedded[1] as number) <= 1)) {
    const [hi, lo] = embedded as [number, number];
    const v4 = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    return nonPublicReason(v4) ? `an IPv6 form of the non-public IPv4 address ${v4}` : undefined;
  }
  return V6.check(a, 'ipv6') ? 'a loopback, unique-local, link-local, multicast or reserved IPv6 address' : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail allowed), or undefined. */
function expandV6(a: string): number[] | undefined {
  let s = a.split('%')[0] as string;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const p = (dotted[1] as string).split('.').map(Number);
    s = `${s.slice(0, dotted.index)}${(((p[0] as number) << 8) | (p[1] as number)).toString(16)}:${(((p[2] as number) << 8) | (p[3] as number)).toString(16)}`;
  }
  const [head, tail, more] = s.split('::');
  if (more !== undefined) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array(fill).fill('0'), ...t];
  if (all.length !== 8) return undefined;
  const groups = all.map((g) => Number.parseInt(g, 16));
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Refuse a connection to `address` of `host` when the policy keeps to public networks. */
export function checkAddress(host: string, address: string, uri: string, policy: UriPolicy): void {
  if (policy.privateNetwork || policy.allowHosts?.includes(host.toLowerCase())) return;
  const why = nonPublicReason(address);
  if (why === undefined) return;
  throw new UriRefusedError(
    `'${short(uri)}' is refused: ${host === address ? host : `${host} resolves to ${address}`}, ${why}; set WEFT_URI_ALLOW_PRIVATE=1 on the executor to allow it`,
    { details: { uri: short(uri), host, address, reason: 'private-network' } },
  );
}

export function short(uri: string): string {
  return uri.length > 80 ? `${uri.slice(0, 77)}...` : uri;
}
