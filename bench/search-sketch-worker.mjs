// Worker entry: worker_threads cannot load .ts by themselves; register tsx, then run the TS worker.
import { register } from 'tsx/esm/api';
register();
await import('./search-sketch-worker.ts');
