import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AlertMovement } from '../types';

/*
 * The evidence movements of an alert over time (uPlot, a small canvas time-series library):
 * each movement as a point at its time with its amount in the base currency, and the running
 * total as a stepped line. Amounts are plotted as floating-point numbers, which is fine for a
 * picture; the exact amounts are in the table below the chart. Loaded on demand with the alert
 * page, so the queue does not pay for it.
 */

export interface MovementsChartProps {
  movements: readonly AlertMovement[];
}

function seriesOf(movements: readonly AlertMovement[]): [number[], number[], number[]] {
  const ordered = [...movements].sort((a, b) => a.timestampIso.localeCompare(b.timestampIso));
  const times: number[] = [];
  const amounts: number[] = [];
  const totals: number[] = [];
  let total = 0;
  for (const movement of ordered) {
    const amount = Number(movement.base.amount);
    total += amount;
    times.push(Date.parse(movement.timestampIso) / 1000);
    amounts.push(amount);
    totals.push(total);
  }
  return [times, amounts, totals];
}

export default function MovementsChart({ movements }: MovementsChartProps): React.JSX.Element {
  const container = useRef<HTMLDivElement>(null);
  const currency = movements[0]?.base.currency ?? '';

  useEffect(() => {
    const element = container.current;
    if (element === null || movements.length === 0) return;
    const started = performance.now();
    const width = Math.max(320, element.clientWidth);
    const money = (value: number): string =>
      value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
    const chart = new uPlot(
      {
        width,
        height: 260,
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        scales: { x: { time: true } },
        axes: [
          {},
          { label: `Amount (${currency})`, size: 80, values: (_, ticks) => ticks.map(money) },
        ],
        series: [
          { label: 'Time (UTC)' },
          {
            label: `Movement (${currency})`,
            stroke: '#2b6cb0',
            width: 0,
            points: { show: true, size: 8, fill: '#2b6cb0' },
            value: (_, value) => (value === null ? '' : money(value)),
          },
          {
            label: `Running total (${currency})`,
            stroke: '#c05621',
            width: 2,
            paths: uPlot.paths.stepped?.({ align: 1 }),
            value: (_, value) => (value === null ? '' : money(value)),
          },
        ],
      },
      seriesOf(movements),
      element,
    );
    element.dataset.points = String(movements.length);
    element.dataset.renderMs = (performance.now() - started).toFixed(1);
    return () => chart.destroy();
  }, [movements, currency]);

  return (
    <div
      ref={container}
      className="chart"
      role="img"
      data-testid="movements-chart"
      aria-label={`Evidence movements over time: ${movements.length} movements, amounts and running total in ${currency}`}
    />
  );
}
