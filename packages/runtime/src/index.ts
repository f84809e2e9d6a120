// @sluice/runtime public API: the load-balancing channel, the policy client that generated code
// calls, and serve().

export * from "./connect-exports.js";

export { createChannel } from "./channel/channel.js";
export type { Channel, ChannelEvent, ChannelStats, EndpointStats, WaitForReadyOptions } from "./channel/channel.js";
export type { CallObserver, CallOutcome, ObservedCall, ObservedEndpoint } from "./channel/call-observer.js";
export type { ChannelOptions } from "./channel/channel-options.js";
export type { ChannelTlsOptions } from "./channel/channel-tls.js";
export type { PemInput } from "./internals/pem.js";
export type { CallCredentials, CallCredentialsContext, CredentialHeaders } from "./channel/call-credentials.js";
export { createTokenCredentials } from "./channel/token-credentials.js";
export type { ExpiringToken, TokenCredentialsOptions } from "./channel/token-credentials.js";
export type { ConnectivityState } from "./channel/connectivity-state.js";
export type { Protocol, EndpointTransportOptions, TransportImplementation } from "./channel/protocol.js";
export type { KeepaliveOptions, SubchannelStats } from "./channel/subchannel.js";
export type { Endpoint, Resolver, ResolverListener } from "./channel/resolver.js";
export type { PickArgs, PickCandidate, Picker, PickerEnv, PickerPolicy, PickResult } from "./channel/picker.js";
export { PickDecision, pickQueue, pickFail } from "./channel/picker.js";

export { createPolicyClient } from "./client/policy-client.js";
export type { PolicyClientOptions } from "./client/policy-client.js";
export { createCancelableClient } from "./client/cancelable-client.js";
export type { TransportLayer } from "./client/layer.js";
export { methodPolicyContext } from "./client/policy-context.js";
export { composePipeline } from "./client/pipeline.js";
export { defaultsLayer } from "./client/defaults-layer.js";
export { interceptorLayer } from "./client/interceptor-layer.js";
export { routingKeyContext, withRoutingKey } from "./client/routing-key.js";
export type {
  CacheEviction,
  CachePolicy,
  HedgePolicy,
  Idempotency,
  MethodInput,
  MethodPolicy,
  PolicyOverrides,
  PolicyTable,
  RetryPolicy,
  RoutingKey,
} from "./client/method-policy.js";

export { createSluiceTransport } from "./transport/sluice-transport.js";
export type { SluiceTransport, SluiceTransportOptions } from "./transport/sluice-transport.js";
export { createSluiceConnection } from "./transport/endpoint-connection.js";
export type { ConnectionEvent, EndpointConnection, SluiceConnection, SluiceConnectionOptions } from "./transport/endpoint-connection.js";

export { serve } from "./server/serve.js";
export type { ServerTransport } from "./server/fast/fast-server.js";
export type { Server, ServeOptions } from "./server/serve.js";
export type { ServerTlsOptions, SecureContextInput } from "./server/tls/server-tls-options.js";
export { tlsPeerKey } from "./server/tls/tls-peer.js";
export type { TlsPeer } from "./server/tls/tls-peer.js";
export { createAuthInterceptor, callerIdentityKey, bearerTokenOf } from "./server/auth-interceptor.js";
export type { AuthInterceptorOptions, AuthRequest } from "./server/auth-interceptor.js";

export * from "./channel/pickers/index.js";
export { createBackoff } from "./channel/backoff.js";
export type { Backoff, BackoffOptions } from "./channel/backoff.js";
export { createPeakEwma } from "./channel/load/peak-ewma.js";
export { createFailureRate } from "./channel/load/failure-rate.js";
export type { FailureRateEstimator, FailureRateEstimatorOptions } from "./channel/load/failure-rate.js";
export type { PeakEwma } from "./channel/load/peak-ewma.js";
export { createOutlierDetector } from "./channel/outlier-detector.js";
export type { OutlierDetector, OutlierDetectorOptions } from "./channel/outlier-detector.js";

export { createResolver, registerResolver } from "./channel/resolvers/registry.js";
export type { CreateResolverOptions, ResolverFactory } from "./channel/resolvers/registry.js";
export { createStaticResolver } from "./channel/resolvers/static-resolver.js";
export { createDnsResolver } from "./channel/resolvers/dns-resolver.js";
export type { DnsResolverOptions } from "./channel/resolvers/dns-resolver.js";
export { parseTargetUri, TargetError } from "./channel/target.js";
export type { TargetUri } from "./channel/target.js";

export { watchHealth } from "./channel/health-watcher.js";
export type { HealthWatch, HealthWatchOptions } from "./channel/health-watcher.js";
export { createHealthService } from "./server/health-service.js";
export type { HealthService, HealthServiceOptions, HealthStatus } from "./server/health-service.js";
