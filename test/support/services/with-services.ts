import { readDiscovery } from './discovery';

export interface JanusGraphEndpoint {
  url: string;
  host: string;
  port: number;
}

export interface PulsarEndpoint {
  webUrl: string;
  host: string;
  port: number;
}

/**
 * `describe` for tests that need a real JanusGraph. When none was found the block is skipped
 * and its title says why (CI never gets here: global setup fails the run instead).
 */
export function describeWithJanusGraph(
  title: string,
  body: (endpoint: JanusGraphEndpoint) => void,
): void {
  const found = readDiscovery().janusgraph;
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real JanusGraph', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  describe(title, () => body({ url: found.url, host: url.hostname, port: Number(url.port) }));
}

/** `describe` for tests that need a real Pulsar broker (WebSocket and admin API on webUrl). */
export function describeWithPulsar(title: string, body: (endpoint: PulsarEndpoint) => void): void {
  const found = readDiscovery().pulsar;
  if (!found.found) {
    describe.skip(`${title} (skipped: ${found.reason})`, () => {
      it('needs a real Pulsar broker', () => undefined);
    });
    return;
  }
  const url = new URL(found.url);
  describe(title, () => body({ webUrl: found.url, host: url.hostname, port: Number(url.port) }));
}
