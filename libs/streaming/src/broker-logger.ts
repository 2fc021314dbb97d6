/** What the brokers log through (Nest's `Logger` fits). */
export interface BrokerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
