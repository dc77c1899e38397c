// Summary statistics of a benchmark's samples. Percentiles are nearest-rank, so with fewer than
// 100 samples p99 is the largest sample, and the report says how many samples each figure has.

/** The samples sorted ascending (a copy). */
function sorted(samples) {
  return [...samples].sort((a, b) => a - b);
}

/** The nearest-rank percentile `p` (0–100) of `samples`; NaN when there are none. */
export function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const ordered = sorted(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[Math.min(rank, ordered.length) - 1];
}

/** The median (mean of the two middle samples for an even count); NaN when there are none. */
export function median(samples) {
  if (samples.length === 0) return Number.NaN;
  const ordered = sorted(samples);
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2 === 1 ? ordered[middle] : (ordered[middle - 1] + ordered[middle]) / 2;
}

/** n, min, median, p99 and max of `samples` (any number of them: no spreading into arguments). */
export function summarize(samples) {
  return {
    n: samples.length,
    min: samples.length ? samples.reduce((least, sample) => Math.min(least, sample)) : Number.NaN,
    median: median(samples),
    p99: percentile(samples, 99),
    max: samples.length ? samples.reduce((most, sample) => Math.max(most, sample)) : Number.NaN,
  };
}

/** A number for a table: few significant digits, thousands separated, "—" for NaN. */
export function formatNumber(value) {
  if (value === undefined || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
