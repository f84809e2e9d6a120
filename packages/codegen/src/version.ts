// The plugin's name and version, printed in every generated file's preamble.

/** The plugin name, as invoked by buf (`protoc-gen-sluice`). */
export const pluginName = "protoc-gen-sluice";

/** The plugin version; kept equal to the package version. */
export const pluginVersion = "v0.1.0";
