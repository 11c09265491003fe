import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import type { KeyRow } from '../../src/db/keys.js';
import { createKeyCache } from '../../src/http/key-cache.js';

const row = (id: string, revoked = false): KeyRow => ({
  id, role: 'cfa', siren: '123456789', uai: null, libelle: null, courriel: null, prefixe: 'cfa_x', date_fin_validite: null,
  revoquee_le: revoked ? new Date() : null, creee_le: new Date(),
});

describe('key cache', () => {
  const db = {} as Knex;

  it('answers from memory within the TTL, from the database after forget()', async () => {
    let state = row('7');
    let lookups = 0;
    const cache = createKeyCache(db, 60_000, 100, async () => { lookups += 1; return state; });
    expect((await cache.find('k'))?.revoquee_le).toBeNull();
    await cache.find('k');
    expect(lookups).toBe(1);
    state = row('7', true);
    cache.forget('07'); // an id with a leading zero names the same key
    expect((await cache.find('k'))?.revoquee_le).not.toBeNull();
    expect(lookups).toBe(2);
  });

  it('a lookup in flight when a key is revoked does not cache the stale row', async () => {
    let release: (r: KeyRow) => void = () => undefined;
    let calls = 0;
    const cache = createKeyCache(db, 60_000, 100, (() => {
      calls += 1;
      return calls === 1 ? new Promise<KeyRow>((resolve) => { release = resolve; }) : Promise.resolve(row('7', true));
    }));
    const slow = cache.find('k');
    cache.forget('7');
    release(row('7')); // read before the revocation committed
    expect((await slow)?.revoquee_le).toBeNull();
    expect((await cache.find('k'))?.revoquee_le).not.toBeNull();
    expect(calls).toBe(2);
  });

  it('TTL 0 always asks the database', async () => {
    let lookups = 0;
    const cache = createKeyCache(db, 0, 100, async () => { lookups += 1; return row('1'); });
    await cache.find('k');
    await cache.find('k');
    expect(lookups).toBe(2);
  });
});
