// Entry point of the protoc-gen-sluice executable: reads a CodeGeneratorRequest on stdin and
// writes the CodeGeneratorResponse to stdout.
import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenSluice } from "./plugin.js";

runNodeJs(protocGenSluice);
