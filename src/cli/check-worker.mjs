// A check thread of the CLI's check pool (src/cli/check-pool.ts): boots the TypeScript loader,
// then serves the checks (src/cli/check-worker.ts) on its parent port.
import { tsImport } from 'tsx/esm/api';

await tsImport('./check-worker.ts', import.meta.url);
