import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** How often conditions on other processes (HTTP probes, broker statistics) are checked. */
export const POLL_INTERVAL_MS = 100;

/**
 * Waits until `check` resolves to true, checking every `POLL_INTERVAL_MS`. The state of another
 * process (a child's readiness, a subscription's backlog) has no event to await, so it is
 * polled. On timeout the error names what was awaited and, when `seen` is given, the last
 * state observed.
 */
export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  seen: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      const last = seen();
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last seen: ${last})` : ''}`,
      );
    }
    await delay(POLL_INTERVAL_MS);
  }
}

/** What `outcomeOf` answers for a step that succeeded. */
export const DONE = 'done';

/**
 * `DONE` once `step` resolves, or the message it failed with. A fault test awaits several steps
 * and then compares everything it saw in one assertion; a failed step then shows in that
 * assertion's diff with its reason (what was awaited, what was last seen), not as a bare `false`.
 */
export async function outcomeOf(step: Promise<unknown>): Promise<string> {
  try {
    await step;
    return DONE;
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A pause of a fixed length: only for the length of an injected fault, never to await an event. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A TCP port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
