/** Signed webhooks, the pure rules: retry schedule (backoff, jitter, 24 h window) and the URL rule. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { isPublicAddress, MAX_RETRY_DELAY_SECONDS, nextAttempt, RETRY_WINDOW_SECONDS, retryDelaySeconds, urlProblems } from '../../src/domain/webhooks.js';

describe('retry schedule', () => {
  it('doubles from the base (jitter centred: random 0.5), capped at 6 h', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, 30, 0.5))).toEqual([30, 60, 120, 240, 480]);
    expect(retryDelaySeconds(10, 30, 0.5)).toBe(15_360);
    expect(retryDelaySeconds(11, 30, 0.5)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(40, 30, 0.5)).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('jitter stays within ±25 % of the exponential delay, never under the base (the first retry waits the base at least)', () => {
    expect(retryDelaySeconds(1, 30, 0)).toBe(30); // 22.5, raised to the base
    expect(retryDelaySeconds(2, 30, 0)).toBe(45);
    expect(retryDelaySeconds(1, 30, 0.999_999)).toBe(37);
    expect(retryDelaySeconds(3, 100, 0)).toBe(300);
    expect(retryDelaySeconds(3, 100, 0.999_999)).toBe(500);
  });

  it('retries for at least 24 h after the first attempt, then gives up', () => {
    for (const random of [0, 0.5, 0.999]) {
      const first = new Date('2026-12-03T00:00:00Z');
      let now = first;
      const waits: number[] = [];
      for (let attempts = 1; ; attempts += 1) {
        const next = nextAttempt({ attempts, firstAttemptAt: first, now, baseSeconds: 30, random });
        if (!next) break;
        waits.push((next.getTime() - now.getTime()) / 1000);
        now = next;
        expect(attempts).toBeLessThan(50);
      }
      // The last attempt (the one that gave up) happened 24 h or more after the first.
      expect((now.getTime() - first.getTime()) / 1000).toBeGreaterThanOrEqual(RETRY_WINDOW_SECONDS);
      expect((now.getTime() - first.getTime()) / 1000).toBeLessThan(RETRY_WINDOW_SECONDS + MAX_RETRY_DELAY_SECONDS * 1.25);
      expect(waits[0]).toBeGreaterThanOrEqual(22);
      expect(waits[0]).toBeLessThanOrEqual(38);
      for (let i = 1; i < Math.min(waits.length, 8); i += 1) expect(waits[i]).toBeGreaterThan(waits[i - 1]! * 1.1);
    }
  });

  it('the first retry waits the configured base', () => {
    const now = new Date('2026-12-03T00:00:00Z');
    expect(nextAttempt({ attempts: 1, firstAttemptAt: now, now, baseSeconds: 5, random: 0.5 })?.toISOString()).toBe('2026-12-03T00:00:05.000Z');
  });
});

describe('endpoint URL rule', () => {
  const codes = (url: string, allowPrivate = false) => urlProblems(url, allowPrivate).map((p) => p.code);

  it('accepts https on a public host name or address', () => {
    expect(codes('https://erp.example.org/hooks/opco?t=1')).toEqual([]);
    expect(codes('https://93.184.216.34/hook')).toEqual([]);
    expect(codes('https://[2606:4700::1111]/hook')).toEqual([]);
  });

  it('refuses http, non-URLs, credentials, private, loopback, link-local and reserved addresses', () => {
    for (const url of [
      'http://erp.example.org/hook', 'ftp://erp.example.org', 'pas une url', '/relative', 'https://user:pw@erp.example.org/',
      'https://127.0.0.1/', 'https://10.1.2.3/', 'https://172.16.0.1/', 'https://192.168.1.1/', 'https://169.254.169.254/latest',
      'https://0.0.0.0/', 'https://100.64.0.1/', 'https://[::1]/', 'https://[fd00::1]/', 'https://[fe80::1]/', 'https://[::ffff:127.0.0.1]/',
      'https://localhost/', 'https://api.localhost/', 'https://printer.local/',
    ]) {
      expect(codes(url), url).toEqual(['URL_WEBHOOK_INVALIDE']);
    }
  });

  it('WEBHOOK_ALLOW_PRIVATE_URLS (sandbox, tests) allows http and local addresses, still not other schemes', () => {
    expect(codes('http://127.0.0.1:8081/hook', true)).toEqual([]);
    expect(codes('https://localhost/hook', true)).toEqual([]);
    expect(codes('ftp://127.0.0.1/', true)).toEqual(['URL_WEBHOOK_INVALIDE']);
  });

  it('the rule holds in production; a sandbox, tests and development allow private receivers unless told otherwise', () => {
    const allows = (env: Record<string, string>) => loadConfig(env).webhookAllowPrivateUrls;
    expect(allows({ NODE_ENV: 'production' })).toBe(false);
    expect(allows({ NODE_ENV: 'production', SANDBOX: 'true' })).toBe(true);
    expect(allows({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })).toBe(true);
    expect(allows({})).toBe(true);
    expect(allows({ NODE_ENV: 'test' })).toBe(true);
    expect(allows({ NODE_ENV: 'development', WEBHOOK_ALLOW_PRIVATE_URLS: 'false' })).toBe(false);
  });

  it('tells public addresses from the others (the check made again on resolved addresses at delivery)', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2001:4860:4860::8888')).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '::1', '::ffff:10.0.0.1', '169.254.1.1', '224.0.0.1', 'nonsense']) expect(isPublicAddress(a), a).toBe(false);
  });
});
