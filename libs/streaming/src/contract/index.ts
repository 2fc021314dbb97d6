// Test-only entry (imports jest globals): the MessageBroker contract suite and its helpers.
// Spec files of this library import it relatively; production code never does.
export * from './message-broker.contract';
export * from './inbox';
