/** What Pulsar's admin API says about one subscription of one topic. */
export interface SubscriptionState {
  /** Messages of the topic not yet acknowledged on the subscription (unsettled). */
  backlog: number;
  /** Consumers attached to the subscription right now. */
  consumers: number;
  /** Messages delivered to its consumers and not settled yet, over all of them. */
  inFlight: number;
  /** Messages its consumers are ready to take (their permits), over all of them. */
  permits: number;
}

interface ConsumerStats {
  unackedMessages?: number;
  availablePermits?: number;
}

interface TopicStats {
  subscriptions?: Record<string, { msgBacklog?: number; consumers?: ConsumerStats[] }>;
}

/**
 * Reads subscription statistics from Pulsar's admin REST API (`/admin/v2/persistent/...`).
 * The backlog is Pulsar's own count of what the worker has not settled, so a test can tell
 * when everything was written or dead-lettered without asking the worker.
 */
export class PulsarAdmin {
  constructor(
    private readonly webUrl: string,
    private readonly tenant: string,
    private readonly namespace: string,
    /** JWT of PULSAR_AUTH_TOKEN, when the broker wants one. */
    private readonly authToken?: string,
  ) {}

  /** The subscription's state, or undefined while the topic or subscription does not exist. */
  async subscription(topic: string, subscription: string): Promise<SubscriptionState | undefined> {
    const path = ['persistent', this.tenant, this.namespace, topic].map(encodeURIComponent);
    const response = await fetch(`${this.webUrl}/admin/v2/${path.join('/')}/stats`, {
      headers: this.authToken ? { Authorization: `Bearer ${this.authToken}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (!response.ok) {
      throw new Error(
        `Pulsar answered ${response.status} to the statistics of ${topic}: ${(await response.text()).slice(0, 300)}`,
      );
    }
    const stats = (await response.json()) as TopicStats;
    const found = stats.subscriptions?.[subscription];
    if (!found) return undefined;
    const consumers = found.consumers ?? [];
    return {
      backlog: found.msgBacklog ?? 0,
      consumers: consumers.length,
      inFlight: consumers.reduce((sum, c) => sum + (c.unackedMessages ?? 0), 0),
      permits: consumers.reduce((sum, c) => sum + (c.availablePermits ?? 0), 0),
    };
  }
}
