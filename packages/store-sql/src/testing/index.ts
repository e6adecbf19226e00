export type { SearchShape } from './search-shapes.js';
export { knownCliffShapes, randomSearchShapes, seedSearchRuns } from './search-shapes.js';
