import type { LoggerService } from '@nestjs/common';
import {
  BUNDLE_SIZE_PROPERTY,
  bundleItems,
  clipReason,
  DLQ_PROPERTIES,
  isBundle,
  type MessageBroker,
  type ReceivedMessage,
} from '@app/streaming';
import { StreamUnavailableError } from '@app/vocabulary';
import { WAITING_SINCE_PROPERTY } from './message-settler';

/** Property of an envelope taken from a bundle: its place, `3/50`. */
export const BUNDLE_ITEM_PROPERTY = 'bundle-item';

export interface BundleHost {
  /** Publishes dead letters and items sent back to wait (see `itemsOf`). */
  broker: Pick<MessageBroker, 'publish'>;
  /** The subscription's dead-letter topic. */
  deadLetterTopic: string;
  logger: LoggerService;
}

/**
 * The messages the worker handles for one delivered message: the message itself, or, for a
 * bundle (`bundleMessages` in @app/streaming), one message per envelope in it. Every item is
 * settled on its own, and the bundle is acknowledged once all its items are:
 *
 * - `ack`: the item is done;
 * - `deadLetter(reason)`: the item alone goes to the dead-letter topic, with the reason,
 *   `REAL_TOPIC` and its own `ORIGIN_MESSAGE_ID` (`<bundle id>#<place>`), so a replay sends back
 *   just that envelope; then it is done;
 * - `nack`: the item alone is published again to its topic, under the bundle's key, with
 *   `ingest-waiting-since` = the bundle's publish time (so a wait for a missing vertex keeps
 *   counting from there), and is done. The copy is a message of its own with a fresh
 *   redelivery budget; the other items of the bundle are not written twice.
 *
 * If publishing that copy or dead letter fails, the whole bundle is nacked instead: Pulsar
 * delivers it again, and its items already written are upserted again, which is harmless.
 * A bundle of more lines than a consumer accepts is dead-lettered whole, with the rule.
 *
 * An item is `stale` when its bundle is (the connection the bundle came on is gone): Pulsar
 * delivers the whole bundle again, so such an item publishes no copy and no dead letter.
 */
export function itemsOf(message: ReceivedMessage, host: BundleHost): ReceivedMessage[] {
  if (!isBundle(message)) return [message];
  let payloads: Buffer[];
  try {
    payloads = bundleItems(message.payload);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    host.logger.warn({ correlationId: message.messageId, msg: `dead-lettered: ${reason}` });
    message.deadLetter(reason).catch((failure: unknown) => {
      host.logger.error({
        correlationId: message.messageId,
        msg: `could not dead-letter the bundle (the broker delivers it again): ${String(failure)}`,
      });
    });
    return [];
  }
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties)) {
    if (name !== BUNDLE_SIZE_PROPERTY) base[name] = value;
  }
  base['content-type'] = 'application/json';
  let pending = payloads.length;
  let failed = false;
  const done = async (): Promise<void> => {
    pending -= 1;
    if (pending === 0 && !failed) await message.ack();
  };
  const fail = async (error: unknown): Promise<never> => {
    if (!failed) {
      failed = true;
      await message.nack();
    }
    throw error;
  };
  return payloads.map((payload, index) => {
    const messageId = `${message.messageId}#${index + 1}`;
    const properties = { ...base, [BUNDLE_ITEM_PROPERTY]: `${index + 1}/${payloads.length}` };
    let settled = false;
    let settling: Promise<void> | undefined;
    const settle = (action: () => Promise<void>): Promise<void> => {
      if (settled) return Promise.resolve();
      settling ??= action()
        .catch(fail)
        .finally(() => {
          settled = true;
          settling = undefined;
        })
        .then(done);
      return settling;
    };
    return {
      messageId,
      topic: message.topic,
      payload,
      key: message.key,
      properties,
      publishTime: message.publishTime,
      redeliveryCount: message.redeliveryCount,
      get settled(): boolean {
        return settled;
      },
      get stale(): boolean {
        return message.stale === true;
      },
      ack: () => settle(() => Promise.resolve()),
      nack: () =>
        settle(async () => {
          // The bundle comes again whole: a copy of the envelope now would be one too many.
          if (message.stale === true) throw staleBundle(message);
          await host.broker.publish(message.topic, [
            {
              payload,
              key: message.key,
              properties: {
                ...properties,
                [WAITING_SINCE_PROPERTY]: String(message.publishTime),
              },
            },
          ]);
        }),
      deadLetter: (reason: string) =>
        settle(async () => {
          if (message.stale === true) throw staleBundle(message);
          await host.broker.publish(host.deadLetterTopic, [
            {
              payload,
              key: message.key,
              properties: {
                ...properties,
                [DLQ_PROPERTIES.realTopic]: message.topic,
                [DLQ_PROPERTIES.originMessageId]: messageId,
                [DLQ_PROPERTIES.reason]: clipReason(reason),
              },
            },
          ]);
        }),
    };
  });
}

function staleBundle(message: ReceivedMessage): StreamUnavailableError {
  return new StreamUnavailableError(
    `Bundle ${message.messageId} can no longer be settled: the connection it came on is gone, so Pulsar delivers it again whole`,
  );
}
