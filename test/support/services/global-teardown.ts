import { stopStartedContainers } from './find-services';

export default async function globalTeardown(): Promise<void> {
  await stopStartedContainers();
}
