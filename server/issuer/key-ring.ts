// The issuer's keys over time: which one signs now, which are published, and rotation. A rotated key is
// published at once but signs only after a pre-publish wait (for verifiers that cache the JWKS); the key it
// supersedes stays published until every token it signed has expired everywhere (spec §2.1 "Key rotation").
// Times are Unix seconds from an injected clock, so tests can walk through a rotation.

import type { JWK } from 'jose';
import { DEFAULT_PRE_PUBLISH_SECONDS, RETIRED_KEY_RETENTION_SECONDS } from './lifetimes.ts';
import { generateSigningKey, type SigningAlgorithm, type SigningKey } from './signing-key.ts';

export interface KeyRecord {
  readonly key: SigningKey;
  /** When the key was made (and first published). */
  readonly createdAt: number;
  /** When it starts signing; it signs until the next key's `activeFrom`. */
  readonly activeFrom: number;
}

export type KeyState = 'pending' | 'signing' | 'retired';

export interface RotateOptions {
  alg?: SigningAlgorithm;
  /** Seconds between publishing the new key and signing with it. */
  prePublishSeconds?: number;
  /**
   * After a compromise: sign with the new key at once and unpublish every other key now, so tokens they signed
   * stop verifying as soon as a cluster refetches the JWKS (spec §2.1 consequence 2).
   */
  dropPrevious?: boolean;
}

export class KeyRing {
  private records: KeyRecord[];

  constructor(
    records: readonly KeyRecord[],
    readonly retentionSeconds: number = RETIRED_KEY_RETENTION_SECONDS,
  ) {
    if (records.length === 0) throw new Error('a key ring needs at least one key');
    this.records = sortRecords(records);
  }

  static async generate(now: number, alg: SigningAlgorithm = 'ES256'): Promise<KeyRing> {
    return new KeyRing([{ key: await generateSigningKey(alg), createdAt: now, activeFrom: now }]);
  }

  /** Every record, oldest activation first (what the key file stores). */
  all(): readonly KeyRecord[] {
    return this.records;
  }

  /** The key that signs at `now`: the latest whose activation has come (the first key before any has). */
  signingRecord(now: number): KeyRecord {
    let current = this.records[0]!;
    for (const r of this.records) if (r.activeFrom <= now) current = r;
    return current;
  }

  signingKey(now: number): SigningKey {
    return this.signingRecord(now).key;
  }

  /** When `record` stopped signing (the next key's activation), or undefined while it has not. */
  supersededAt(record: KeyRecord, now: number): number | undefined {
    const i = this.records.indexOf(record);
    const next = this.records[i + 1];
    return next && next.activeFrom <= now ? next.activeFrom : undefined;
  }

  state(record: KeyRecord, now: number): KeyState {
    if (this.signingRecord(now) === record) return 'signing';
    return record.activeFrom > now ? 'pending' : 'retired';
  }

  /** A key is published from its creation until `retention` after it stopped signing. */
  isPublished(record: KeyRecord, now: number): boolean {
    const superseded = this.supersededAt(record, now);
    return superseded === undefined || now < superseded + this.retentionSeconds;
  }

  /** The JWKS at `now`: public members only, one entry per published key. */
  jwks(now: number): { keys: JWK[] } {
    return { keys: this.records.filter((r) => this.isPublished(r, now)).map((r) => ({ ...r.key.publicJwk })) };
  }

  /** The algorithms of the published keys (discovery's `id_token_signing_alg_values_supported`). */
  algorithms(now: number): SigningAlgorithm[] {
    return [...new Set(this.records.filter((r) => this.isPublished(r, now)).map((r) => r.key.alg))];
  }

  /** Forgets keys no token can need any more. Returns how many were dropped. */
  prune(now: number): number {
    const before = this.records.length;
    this.records = this.records.filter((r) => this.isPublished(r, now));
    return before - this.records.length;
  }

  /** Adds a new key, published now and signing after the pre-publish wait; prunes expired keys. */
  async rotate(now: number, options: RotateOptions = {}): Promise<KeyRecord> {
    const alg = options.alg ?? this.signingKey(now).alg;
    const wait = options.prePublishSeconds ?? DEFAULT_PRE_PUBLISH_SECONDS;
    if (!(Number.isInteger(wait) && wait >= 0))
      throw new Error('the pre-publish wait must be a whole number of seconds ≥ 0');
    if (options.dropPrevious) {
      const record: KeyRecord = { key: await generateSigningKey(alg), createdAt: now, activeFrom: now };
      this.records = [record];
      return record;
    }
    const record: KeyRecord = { key: await generateSigningKey(alg), createdAt: now, activeFrom: now + wait };
    this.records = sortRecords([...this.records, record]);
    this.prune(now);
    return record;
  }

  /** Replaces the records (a reloaded key file), keeping the retention. */
  replace(records: readonly KeyRecord[]): void {
    if (records.length === 0) throw new Error('a key ring needs at least one key');
    this.records = sortRecords(records);
  }
}

function sortRecords(records: readonly KeyRecord[]): KeyRecord[] {
  return [...records].sort((a, b) => a.activeFrom - b.activeFrom || a.createdAt - b.createdAt);
}
