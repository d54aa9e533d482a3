// Human formatting shared by alert messages, the terminal view and the CLI tables.
import type { TimeLag } from './types.js';

/** 12345n → "12,345". */
export function formatCount(value: bigint): string {
  return value.toString(10).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 250 → "4m 10s"; 90061 → "1d 1h"; 0 → "0s". Whole seconds, the two largest units. */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length === 0 && unit === 's')) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** "4m 10s", ">=4m 10s" for a lower bound, "?" when unknown. */
export function formatTimeLag(lag: TimeLag): string {
  if (lag.kind === 'unknown') return '?';
  const text = formatDuration(lag.seconds);
  return lag.kind === 'lower-bound' ? `>=${text}` : text;
}

/** `text` cut to at most `max` characters, the last one an ellipsis when cut (chat and API limits). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
