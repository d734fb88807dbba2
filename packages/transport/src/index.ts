// @tlsbridge/transport: the socket layer both roles share. TLS contexts with our policy, dialing
// with classified failures, reading a head off a socket, splicing, and the log catalogue (every
// event and its fields) with logEvent(), which types each log call against it.
export type { TlsMaterial } from "./tls-material.ts";
export { DEFAULT_KEY_EXCHANGE_GROUPS } from "./tls-material.ts";
export { createNodeSecureContext, listenerTlsSettings, nodeTlsSettings } from "./secure-context.ts";
export { DialError, DIAL_FAILURES } from "./dial-error.ts";
export type { DialFailure } from "./dial-error.ts";
export { dialTcp } from "./dial-tcp.ts";
export type { DialTcpOptions, HostResolver, ResolvedAddress } from "./dial-tcp.ts";
export { dialTls } from "./dial-tls.ts";
export type { CarrierConnection, DialTlsOptions, TlsCarrier, TlsConnection } from "./dial-tls.ts";
export { isCertificateFailure } from "./tls-failure.ts";
export { readUntil, ReadUntilError } from "./read-until.ts";
export { splice } from "./splice.ts";
export { isLinkLost, LinkLostError, watchCloseNotify } from "./close-notify.ts";
export { reclaimReadBuffersWith, RECLAIM_EVERY_BYTES } from "./read-buffer-reclaim.ts";
export type { Splice, SpliceEnd, SpliceOptions, SpliceOutcome, SpliceResult } from "./splice.ts";
export { COMMON_LOG_FIELDS, LOG_CATALOGUE } from "./log-catalogue.ts";
export type { LogEvent, LogEventSpec, LogFieldSpec, LogFieldType, LogLevelName } from "./log-catalogue.ts";
export { logEvent } from "./log-event.ts";
export { commonLogFieldsMarkdown, logEventsMarkdown } from "./log-catalogue-markdown.ts";
export type { LogFields, LogLevelOf } from "./log-event.ts";
export { accessSummary, formatByteCount, formatDurationMs } from "./access-summary.ts";
export type { AccessSummaryFacts } from "./access-summary.ts";
export { createTlsListener, HandshakeError } from "./tls-listener.ts";
export type { RefusedConnectionHandler, TlsConnectionHandler, TlsListenerOptions, TlsRefusalHandler } from "./tls-listener.ts";
export { ConnectionRegistry } from "./connection-registry.ts";
export type { Closable } from "./connection-registry.ts";
export { listen, stopListening } from "./listen.ts";
export type { ListenOptions } from "./listen.ts";
export { NO_METRICS } from "./tunnel-metrics.ts";
export type { TunnelClosedFacts, TunnelMetrics } from "./tunnel-metrics.ts";
export { NO_STATUS } from "./tunnel-status.ts";
export type { RefusalFacts, TunnelPlace, TunnelStatus } from "./tunnel-status.ts";
export type { NodeContext } from "./node-context.ts";
export { answerAndClose, DEFAULT_LINGER_MS } from "./answer-and-close.ts";
export { addressKey, TunnelLimiter } from "./tunnel-limiter.ts";
export type { TunnelLimits, TunnelSlot } from "./tunnel-limiter.ts";
export { h2StreamEnd, resetStream, treatConnectErrorAsReset } from "./h2-stream-end.ts";
export { h2HeaderList } from "./h2-header-list.ts";
export { H2_MODE_ALPN, isMultiplexedAlpn, NEGOTIATING_ALPN, TLSBRIDGE_ALPN } from "./alpn-ids.ts";
export {
  H2_CONNECTION_WINDOW_BYTES, H2_MAX_CONCURRENT_STREAMS, H2_MAX_SESSION_MEMORY_MB, H2_SETTINGS, H2_STREAM_WINDOW_BYTES,
  widenConnectionWindow,
} from "./h2-settings.ts";
