import { stopStartedContainers, stopStartedRedis } from './find-services';

export default async function globalTeardown(): Promise<void> {
  await stopStartedContainers();
  await stopStartedRedis();
}
