import { type Command, CommanderError } from 'commander';
import type { DomainError } from '@app/vocabulary';

/** Errors that say a server did not answer, not that the input or the arguments were wrong. */
const OUTAGE_CODES: ReadonlySet<DomainError['code']> = new Set([
  'graph_unavailable',
  'graph_timeout',
  'stream_unavailable',
]);

/**
 * Ends a command on a domain error, printing `error: <message>`. A refusal of the input or the
 * arguments exits with code 2 and the hint to run --help. A server that did not answer
 * (JanusGraph, Pulsar) exits with code 1 and no such hint: the command was right, and running it
 * again once the server answers is what helps. `name` makes the error code,
 * `seeder.<name>.<domain code>`.
 */
export function failCommand(command: Command, name: string, error: DomainError): never {
  const code = `seeder.${name}.${error.code}`;
  if (!OUTAGE_CODES.has(error.code)) {
    return command.error(`error: ${error.message}`, { exitCode: 2, code });
  }
  const output = command.configureOutput();
  const writeErr = (text: string): void => {
    if (output.writeErr) output.writeErr(text);
    else process.stderr.write(text);
  };
  const text = `error: ${error.message}\n`;
  if (output.outputError) output.outputError(text, writeErr);
  else writeErr(text);
  throw new CommanderError(1, code, error.message);
}
