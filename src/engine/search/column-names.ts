/** Column-name similarity lives in data/column-names.ts (catalog/links.ts needs it too); re-exported here. */
export { nameSimilarity, nameWords, prepareName, type PreparedName } from '../data/column-names.js';
