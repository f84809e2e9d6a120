// @sluice/protoc-gen-sluice public API: the plugin object (for embedding or tests) and the error
// it reports for invalid sluice.v1 options.

export { protocGenSluice } from "./plugin.js";
export { SluiceOptionsError } from "./policy/problems.js";
export { pluginName, pluginVersion } from "./version.js";
