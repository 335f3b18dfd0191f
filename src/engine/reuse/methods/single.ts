/** The best search result alone: no fitting, one component. */
import { defineReuseMethod } from '../method.js';
import { topSingles } from './choose.js';

export const single = defineReuseMethod({
  id: 'single',
  label: 'Best single learnware',
  shortLabel: 'best single',
  description: 'the top search result alone',
  needsLabels: false,
  sameFeatures: false,
  recommended: (context) => context.recommended !== 'mixture',
  chooseLearnwares: (island) => topSingles(island, 1),
  fit: () => ({ state: null, members: [0], weights: [1] }),
  predict: (_state, input) => input.outputs[0],
  save: () => ({}),
  restore: () => ({ state: null }),
});
