// @sluice/runtime public API: the load-balancing channel, the policy client that generated code
// calls, the response cache and its eviction policies, and serve().

export * from "./connect-exports.js";

export { createChannel } from "./channel/channel.js";
export type { Channel, ChannelEvent, ChannelStats, EndpointStats, WaitForReadyOptions } from "./channel/channel.js";
export type { CallObserver, CallOutcome, ObservedCall, ObservedEndpoint } from "./channel/call-observer.js";
export type { ChannelOptions, OutOfBandLoadReportOptions } from "./channel/channel-options.js";
export { isShedAtCaller } from "./channel/caller-shed.js";
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
export type { PolicyClient, PolicyClientOptions } from "./client/policy-client.js";
export { createCancelableClient } from "./client/cancelable-client.js";
export type { TransportLayer } from "./client/layer.js";
export { methodPolicyContext } from "./client/policy-context.js";
export { composePipeline } from "./client/pipeline.js";
export { defaultsLayer } from "./client/defaults-layer.js";
export { interceptorLayer } from "./client/interceptor-layer.js";
export { routingKeyContext, withRoutingKey } from "./client/routing-key.js";
export type {
  AdaptiveHedgeDelay,
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

export type { Observable } from "rxjs";
export { withObservables } from "./rx/rx-client.js";
export type { RequestStream, RxClientOptions, SluiceClient, StreamCallOptions } from "./rx/rx-client.js";
export { observableToIterable } from "./rx/observable-to-iterable.js";
export { iterableToObservable } from "./rx/iterable-to-observable.js";
export { promiseToObservable } from "./rx/promise-to-observable.js";
export { overflowStrategies } from "./rx/buffer-options.js";
export type { ObservableBufferOptions, OverflowStrategy } from "./rx/buffer-options.js";
export { observeRequests, registerService, unimplemented } from "./rx/handlers.js";
export type { RegisterOptions, Unimplemented } from "./rx/handlers.js";

export { createHub } from "./hub/hub.js";
export type { Hub, HubEvent, HubStats, HubSubscription, SubscribeOptions } from "./hub/hub.js";
export { slowConsumerPolicies } from "./hub/hub-options.js";
export type { HubOptions, SlowConsumerPolicy, SubscriberLimits } from "./hub/hub-options.js";

export { createSluiceTransport } from "./transport/sluice-transport.js";
export type { SluiceTransport, SluiceTransportOptions } from "./transport/sluice-transport.js";
export { createSluiceConnection } from "./transport/endpoint-connection.js";
export type { ConnectionEvent, EndpointConnection, SluiceConnection, SluiceConnectionOptions } from "./transport/endpoint-connection.js";
export { clientFlowControlDefaults, serverFlowControlDefaults } from "./transport/flow-control.js";
export type { FlowControlOptions, ResolvedFlowControl } from "./transport/flow-control.js";

export { serve } from "./server/serve.js";
export type { ServerTransport } from "./server/fast/fast-server.js";
export { defaultHardening } from "./server/hardening/hardening-options.js";
export type { ServerHardeningOptions } from "./server/hardening/hardening-options.js";
export type { Server, ServeOptions, ShutdownOptions } from "./server/serve.js";
export { shutdownOnSignals } from "./server/shutdown-signals.js";
export type { ShutdownOnSignalsOptions, ShutdownTarget } from "./server/shutdown-signals.js";
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
export type { FailureRateOptions, OutlierDetector, OutlierDetectorOptions, OutlierEvent, OutlierListener, SlowEndpointOptions } from "./channel/outlier-detector.js";

export { createResolver, registerResolver } from "./channel/resolvers/registry.js";
export type { CreateResolverOptions, ResolverFactory } from "./channel/resolvers/registry.js";
export { createStaticResolver } from "./channel/resolvers/static-resolver.js";
export { createDnsResolver } from "./channel/resolvers/dns-resolver.js";
export type { DnsResolverOptions } from "./channel/resolvers/dns-resolver.js";
export { parseTargetUri, TargetError } from "./channel/target.js";
export type { TargetUri } from "./channel/target.js";

export { watchHealth } from "./channel/health-watcher.js";
export type { HealthWatch, HealthWatchOptions } from "./channel/health-watcher.js";
export { watchLoadReports } from "./channel/load-report-stream.js";
export type { LoadReportStreamOptions, OutOfBandState } from "./channel/load-report-stream.js";
export type { StreamWatch } from "./channel/stream-watch.js";
export type { OutOfBandServiceOptions } from "./server/load-report-service.js";
export { toLoadReportMessage, fromLoadReportMessage } from "./limit/load-report-message.js";
export { LoadReportService, StreamLoadReportsRequestSchema, StreamLoadReportsResponseSchema } from "./gen/sluice/v1/load_report_pb.js";
export type { StreamLoadReportsRequest, StreamLoadReportsResponse } from "./gen/sluice/v1/load_report_pb.js";
export { createHealthService } from "./server/health-service.js";
export type { HealthService, HealthServiceOptions, HealthStatus } from "./server/health-service.js";

export { createEtcdResolver } from "./channel/resolvers/etcd-resolver.js";
export type { EtcdResolverOptions, EtcdTargetOptions } from "./channel/resolvers/etcd-resolver.js";
export { registerWithEtcd } from "./server/etcd-registration.js";
export type { EtcdRegistration, EtcdRegistrationOptions } from "./server/etcd-registration.js";
export type { EtcdConnectionOptions } from "./discovery/etcd-client.js";
export { createMemoryRegistry, defaultMemoryRegistry } from "./discovery/memory-registry.js";
export type { MemoryRegistry, MemoryRegistrationOptions } from "./discovery/memory-registry.js";
export type { ServiceRegistration, ListeningServer, RegistrationAttributes } from "./discovery/service-registration.js";
export { encodeEndpointValue, decodeEndpointValue, endpointKey, servicePrefix } from "./discovery/etcd-naming.js";
export { parseEtcdTarget, parseRegistryTarget } from "./channel/target.js";
export type { EtcdTarget, RegistryTarget } from "./channel/target.js";
export { createRetryBackoff } from "./client/retry/retry-backoff.js";
export type { RetryBackoff, RetryBackoffOptions } from "./client/retry/retry-backoff.js";
export { parsePushback, pushbackHeader } from "./client/retry/pushback.js";
export type { Pushback } from "./client/retry/pushback.js";
export { createRetryBudget } from "./client/retry/retry-budget.js";
export type { RetryBudget, RetryBudgetConfig, RetryBudgetStats, WindowedBudgetConfig, ThrottlingBudgetConfig } from "./client/retry/retry-budget.js";
export { createHedgingDelayEstimator } from "./client/retry/hedging-delay.js";
export type { HedgingDelayEstimator, HedgingDelayOptions, HedgingDelayStats } from "./client/retry/hedging-delay.js";
export { createHedgeRateGovernor } from "./client/retry/hedge-rate-governor.js";
export type { HedgeRateGovernor, HedgeRateGovernorOptions, HedgeRateGovernorStats } from "./client/retry/hedge-rate-governor.js";
export { maxAttemptsCap, validateRetryPolicy, validateHedgePolicy, validateAttemptPolicies } from "./client/retry/attempt-policy.js";
export type { AttemptPolicies } from "./client/retry/attempt-policy.js";
export * from "./limit/index.js";
export type { ServerLimitsOptions, MethodLimitsOptions, RateLimitOptions, CallerRateLimitOptions, PartitionOptions, LoadReportOptions } from "./server/admission/admission-options.js";
export type { ServerLimitsStats } from "./server/admission/admission-controller.js";
// The response cache: eviction policies behind one store interface, the engine, and its layer.
export type { CacheStore, RemovalCause, StoreOptions } from "./cache/cache-store.js";
export { createStore, evictionNames } from "./cache/create-store.js";
export { createLruStore } from "./cache/lru-store.js";
export { createLfuStore } from "./cache/lfu-store.js";
export { createArcStore } from "./cache/arc-store.js";
export { createTinyLfuStore } from "./cache/tinylfu-store.js";
export type { TinyLfuOptions, TinyLfuStore } from "./cache/tinylfu-store.js";
export { ResponseCache, ENTRY_OVERHEAD_BYTES } from "./cache/response-cache.js";
export type { CacheFetch, InvalidationFilter, ResponseCacheOptions, ResponseCodec } from "./cache/response-cache.js";
export type { CacheStats, MethodCacheStats } from "./cache/cache-stats.js";
export { cacheKey, cacheKeyPrefix, credentialsKeyText, headerValue, keyHeaderNames, IDENTITY_HEADERS } from "./cache/cache-key.js";
export type { KeyHeaders } from "./cache/cache-key.js";
export { requestKeyEncoder } from "./cache/request-key.js";
export { copyMessage } from "./cache/message-copy.js";
export { unaryResponseCodec, copyStrategies } from "./cache/response-codecs.js";
export type { CopyStrategy } from "./cache/response-codecs.js";
export { createCacheLayer } from "./cache/cache-layer.js";
export type { CacheLayer, CacheLayerOptions, CacheOverride } from "./cache/cache-layer.js";
export { attemptLayer } from "./client/retry/attempt-layers.js";
export { attemptStateOf, perCallReplayBytes, perChannelReplayBytes } from "./client/retry/attempt-state.js";
export type { AttemptStats } from "./client/retry/attempt-state.js";
export { withAttemptPolicy, callAttemptPolicyContext, attemptRoutingContext } from "./client/retry/attempt-context.js";
export type { CallAttemptPolicy, AttemptRouting } from "./client/retry/attempt-context.js";
export { previousAttemptsHeader } from "./client/retry/attempt-call.js";
export { hedgeLostError } from "./client/retry/hedge-run.js";
