// A kernel lane of the CLI's compute pool (src/cli/kernel-pool.ts): boots the TypeScript loader,
// then serves the lane (src/cli/kernel-lane.ts) on its parent port.
import { tsImport } from 'tsx/esm/api';

await tsImport('./kernel-lane.ts', import.meta.url);
