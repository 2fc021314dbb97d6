import { GenericContainer } from 'testcontainers';

/**
 * A container whose published ports listen on 127.0.0.1 only (testcontainers publishes on every
 * address by default). Call `loopbackOnly()` after `withExposedPorts`.
 */
export class LoopbackContainer extends GenericContainer {
  loopbackOnly(): this {
    const bindings = this.hostConfig.PortBindings as
      Record<string, { HostIp?: string; HostPort?: string }[]> | undefined;
    for (const entries of Object.values(bindings ?? {})) {
      for (const entry of entries) entry.HostIp = '127.0.0.1';
    }
    return this;
  }
}
