// The protoc-gen-sluice plugin object, built on @bufbuild/protoplugin (targets ts, js and dts;
// js and dts are transpiled from the generated TypeScript).
import { createEcmaScriptPlugin, type Plugin } from "@bufbuild/protoplugin";
import { generateTs } from "./generate-ts.js";
import { pluginName, pluginVersion } from "./version.js";

/**
 * The protoc-gen-sluice plugin. Accepts protoplugin's standard options (`target`,
 * `import_extension`, `js_import_style`, `import_with_type_only`, `rewrite_imports`,
 * `keep_empty_files`, `ts_nocheck`).
 *
 * @example
 * ```ts
 * import { runNodeJs } from "@bufbuild/protoplugin";
 * runNodeJs(protocGenSluice);
 * ```
 */
export const protocGenSluice: Plugin = createEcmaScriptPlugin({
  name: pluginName,
  version: pluginVersion,
  generateTs,
});
