/**
 * The value of one sample in a Prometheus text exposition (what `/metrics` answers): the first
 * line of metric `name` whose labels include every pair of `labels`. Throws, showing the whole
 * text, when there is none.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      return Number(match[3]);
    }
  }
  throw new Error(`no sample ${name} ${JSON.stringify(labels)} in:\n${text}`);
}
