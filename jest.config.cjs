// Jest runs TypeScript sources directly (transpile-only; `tsc -b` type-checks separately).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "<rootDir>/test/node-environment.cjs",
  roots: ["<rootDir>/test", "<rootDir>/packages"],
  testMatch: ["**/*.spec.ts", "**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/test/tsconfig.jest.json" }],
  },
  moduleNameMapper: {
    "^@sluice/runtime$": "<rootDir>/packages/runtime/src/index.ts",
    "^@sluice/protoc-gen-sluice$": "<rootDir>/packages/codegen/src/index.ts",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  testTimeout: 30000,
};
