/** The client's retry arithmetic: Retry-After as seconds or HTTP date, bounded waits, backoff with jitter. */
import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelay } from '../../clients/ts/src/index.js';

const options = { retries: 3, maxDelayMs: 30_000, baseDelayMs: 500 };

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Wed, 02 Dec 2026 10:00:12 GMT', now)).toBe(12_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-3', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('waits what the gateway asks, up to maxDelayMs, for at most `retries` retries', () => {
    expect(retryDelay(1, 5000, options)).toBe(5000);
    expect(retryDelay(3, 30_000, options)).toBe(30_000);
    expect(retryDelay(1, 30_001, options)).toBeUndefined();
    expect(retryDelay(4, 1000, options)).toBeUndefined();
    expect(retryDelay(1, 1000, { ...options, retries: 0 })).toBeUndefined();
  });

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    expect([retryDelay(1, undefined, options, () => 0), retryDelay(1, undefined, options, () => 1)]).toEqual([250, 500]);
    expect([retryDelay(3, undefined, options, () => 0), retryDelay(3, undefined, options, () => 1)]).toEqual([1000, 2000]);
    expect(retryDelay(3, undefined, { ...options, maxDelayMs: 800 }, () => 1)).toBe(800);
  });
});
