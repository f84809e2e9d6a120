// Jest's node environment, but with the host realm's Error constructors, so `instanceof Error`
// holds for errors raised by node core (sockets, HTTP/2) as it does in production; connect-node
// maps such errors to Connect codes (UNAVAILABLE, CANCELED) only when that check passes.
const { TestEnvironment } = require("jest-environment-node");

class HostErrorsEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError", "AggregateError"]) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = HostErrorsEnvironment;
