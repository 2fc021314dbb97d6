import { MemoryGraphStore } from '@app/graph-store';
import { describeUboParity } from './ubo-parity';

describeUboParity('the memory store', () => new MemoryGraphStore());
