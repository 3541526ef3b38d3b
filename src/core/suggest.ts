// "Did you mean" for unknown keys and plugin names: the one shared rule from src/hcl, so
// a typo gets the same hint whether HCL, the template or a plugin's config reports it.
export { didYouMean, levenshtein } from '../hcl/suggest.js';
