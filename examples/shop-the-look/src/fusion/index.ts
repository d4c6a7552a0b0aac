/** Hybrid ranking: reciprocal rank fusion of the image and text branches' matches. */
export { RankFusion, type RankFusionOptions, reciprocalRankFusion } from './rank-fusion.js';
