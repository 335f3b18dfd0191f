/**
 * The reference's protocol summaries shared by bench:text and bench:image (docs/text.md §7,
 * docs/image.md §6): per-method mean accuracies over users, the share of the mean-in-market →
 * oracle gap each recovers, and the labelled-data curve's means per number of labels.
 */

const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;

export type ProtocolMethod = 'market' | 'best' | 'top1' | 'jobSelector' | 'averaging' | 'recommended';

export interface ProtocolSummary extends Record<ProtocolMethod, number> {
  users: number;
  /** (x − market) / (best − market) per method but the two ends */
  gapRecovered: Record<'top1' | 'jobSelector' | 'averaging' | 'recommended', number>;
}

/** Means over the users' rows (each row's `recommendedAccuracy` is the recommended method's; a method not measured on a row is left out of its mean). */
export function summariseProtocol(rows: readonly Record<string, unknown>[]): ProtocolSummary {
  const meanOf = (key: string) => mean(rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number'));
  const m = {
    market: meanOf('market'),
    best: meanOf('best'),
    top1: meanOf('top1'),
    jobSelector: meanOf('jobSelector'),
    averaging: meanOf('averaging'),
    recommended: meanOf('recommendedAccuracy'),
  };
  const gapOf = (x: number) => (x - m.market) / (m.best - m.market);
  return { users: rows.length, ...m, gapRecovered: { top1: gapOf(m.top1), jobSelector: gapOf(m.jobSelector), averaging: gapOf(m.averaging), recommended: gapOf(m.recommended) } };
}

/** One line: each method's mean and its share of the gap, with the targets when given. */
export function describeSummary(label: string, m: ProtocolSummary, targets: { top1?: string; recommended?: string } = {}): string {
  const share = (key: keyof ProtocolSummary['gapRecovered'], target?: string) => `${(100 * m.gapRecovered[key]).toFixed(0)} %${target ? `, target ${target}` : ''}`;
  return (
    `\n${label} (${m.users} users): market ${m.market.toFixed(3)}, best ${m.best.toFixed(3)}, top-1 ${m.top1.toFixed(3)} (gap ${share('top1', targets.top1)}), ` +
    `job selector ${m.jobSelector.toFixed(3)} (${share('jobSelector')}), averaging ${m.averaging.toFixed(3)} (${share('averaging')}), recommended ${m.recommended.toFixed(3)} (${share('recommended', targets.recommended)})`
  );
}

/** The labelled-data curve: per number of labels asked for, the mean labels used and the two methods' mean accuracies. */
export function curveMeans(curves: readonly { n: number; labelled: number; pruning: number; scratch: number }[]) {
  return [...new Set(curves.map((c) => c.n))].map((n) => {
    const at = curves.filter((c) => c.n === n);
    return { n, labelledMean: mean(at.map((c) => c.labelled)), pruning: mean(at.map((c) => c.pruning)), scratch: mean(at.map((c) => c.scratch)), points: at.length };
  });
}
