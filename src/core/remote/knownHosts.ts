import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';

/** One host-key line of a known_hosts file. */
export interface KnownHostEntry {
  marker: '' | '@revoked' | '@cert-authority';
  /** The raw host field: comma-separated patterns or one `|1|salt|hash` hashed name. */
  hosts: string;
  keyType: string;
  key: Buffer;
  /** `file:line` for messages. */
  where: string;
}

/** Outcome of checking a presented host key against known_hosts. */
export type HostKeyCheck =
  | { status: 'match'; where: string }
  | { status: 'mismatch'; where: string }
  | { status: 'revoked'; where: string }
  | { status: 'unknown'; otherTypesKnown: string[] };

/** The name a host is recorded under: `host` for port 22, `[host]:port` otherwise (as OpenSSH does). */
export function knownHostId(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH-style `SHA256:base64` fingerprint of a public key blob. */
export function hostKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name encoded at the start of an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`...). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  if (n > 64 || 4 + n > blob.length) return '';
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** Parses known_hosts text; malformed lines are ignored as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority')
      marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined) continue;
    if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) continue;
    const key = Buffer.from(b64, 'base64');
    if (keyTypeOfBlob(key) !== keyType) continue;
    out.push({ marker, hosts, keyType, key, where: `${file}:${i + 1}` });
  }
  return out;
}

function globToRegExp(pattern: string): RegExp {
  const esc = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, 'i');
}

/** Whether a known_hosts host field names `hostId` (plain patterns with `*`, `?`, `!negation`, or a hashed name). */
export function hostFieldMatches(hosts: string, hostId: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const want = Buffer.from(hash, 'base64');
    const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(hostId).digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  let matched = false;
  for (const raw of hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pat = negated ? raw.slice(1) : raw;
    if (pat === '') continue;
    if (globToRegExp(pat).test(hostId)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The host keys recorded in one or more known_hosts files, checked the strict way. */
export class KnownHosts {
  constructor(readonly entries: KnownHostEntry[]) {}

  /** Reads the files that exist; a missing file counts as empty. */
  static async load(files: string[]): Promise<KnownHosts> {
    const all: KnownHostEntry[] = [];
    for (const f of files) {
      const text = await fs.readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw e;
      });
      all.push(...parseKnownHosts(text, f));
    }
    return new KnownHosts(all);
  }

  /** Key types recorded for this host, so the handshake can prefer them. */
  typesFor(host: string, port: number): string[] {
    const id = knownHostId(host, port);
    return [
      ...new Set(this.entries.filter((e) => e.marker === '' && hostFieldMatches(e.hosts, id)).map((e) => e.keyType)),
    ];
  }

  /** Checks a presented key: revoked anywhere → revoked; equal → match; same type but different → mismatch; else unknown. */
  check(host: string, port: number, blob: Buffer): HostKeyCheck {
    const revoked = this.entries.find((e) => e.marker === '@revoked' && e.key.equals(blob));
    if (revoked) return { status: 'revoked', where: revoked.where };
    const id = knownHostId(host, port);
    const type = keyTypeOfBlob(blob);
    const forHost = this.entries.filter((e) => e.marker === '' && hostFieldMatches(e.hosts, id));
    const same = forHost.find((e) => e.key.equals(blob));
    if (same) return { status: 'match', where: same.where };
    const conflicting = forHost.find((e) => e.keyType === type);
    if (conflicting) return { status: 'mismatch', where: conflicting.where };
    return { status: 'unknown', otherTypesKnown: [...new Set(forHost.map((e) => e.keyType))] };
  }
}

/** A known_hosts line for this host and key; hashed (`|1|salt|hash`) when asked, like `HashKnownHosts yes`. */
export function knownHostsLine(host: string, port: number, blob: Buffer, hashed = false): string {
  const id = knownHostId(host, port);
  let hostField = id;
  if (hashed) {
    const salt = randomBytes(20);
    hostField = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(id).digest('base64')}`;
  }
  return `${hostField} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`;
}

/** Appends an accepted host key to a known_hosts file (created with mode 0600 when missing). */
export async function appendKnownHost(
  file: string,
  host: string,
  port: number,
  blob: Buffer,
  hashed = false,
): Promise<void> {
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await fs.appendFile(file, `${sep}${knownHostsLine(host, port, blob, hashed)}\n`, { mode: 0o600 });
}
