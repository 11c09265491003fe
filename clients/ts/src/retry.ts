/** When and how long to wait before sending a refused request again. */

export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables). */
  retries?: number;
  /** Longest single wait (default 30 000 ms): a `Retry-After` beyond it is not waited for. */
  maxDelayMs?: number;
  /** First wait when the gateway gives no `Retry-After` (default 500 ms, doubled each time, with jitter). */
  baseDelayMs?: number;
  /** How to wait (tests pass a recording function). */
  sleep?: (ms: number) => Promise<void>;
  /** The current time in ms (for `Retry-After` given as an HTTP date). */
  now?: () => number;
}

export const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month (RFC 9110 §5.6.7); Date.parse alone would read "-3" as a year.
  const date = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `attempt` (1 for the first retry), or undefined when the request must
 * not be retried: the gateway's `Retry-After` when given (not waited for beyond `maxDelayMs`), else
 * exponential backoff with full jitter.
 */
export function retryDelay(attempt: number, retryAfter: number | undefined, options: Required<Pick<RetryOptions, 'retries' | 'maxDelayMs' | 'baseDelayMs'>>, random: () => number = Math.random): number | undefined {
  if (attempt > options.retries) return undefined;
  if (retryAfter !== undefined) return retryAfter <= options.maxDelayMs ? retryAfter : undefined;
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
