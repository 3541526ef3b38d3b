// The CLI's one contact point with the template loader and the HCL toolkit, so that the
// commands code against a stable shape. Build-engine entry points (runBuilds, sinks,
// cleanup) are imported by the build and cleanup commands directly: they are heavy, and
// only those commands may load them.
export { loadTemplate } from '../template/load.js';
export { planBuilds } from '../template/planner.js';
export { describeTemplate, evaluateInTemplate } from '../template/inspect.js';
export { parseHCL } from '../hcl/parser.js';
export { formatHCL } from '../hcl/format.js';
