// Test-only entry (needs jest globals): the UBO parity suite for any GraphStore adapter.
export { describeUboParity } from './ubo-parity';
