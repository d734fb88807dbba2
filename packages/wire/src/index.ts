// The HTTP/1.1 tunnel wire format shared by ingress and peer: head scanning and parsing, targets,
// the status table, Proxy-Status, and the heads we write. Pure: no sockets, no timers.
export { TunnelError, isTunnelError } from "./errors.ts";
export type { TunnelErrorOptions } from "./errors.ts";
export { ERRORS, ERROR_CODES, errorResponseFor, isErrorCode, statusTableMarkdown } from "./status-table.ts";
export type { ErrorCode, ErrorRow } from "./status-table.ts";
export { HeadScanner } from "./head-scanner.ts";
export type { HeadScannerState } from "./head-scanner.ts";
export { HeadReader } from "./head-reader.ts";
export type { HeadAndRest } from "./head-reader.ts";
export { parseTarget, canonicalIpv6, ipv6Groups } from "./target.ts";
export type { Target } from "./target.ts";
export { headerValues, isToken, isFieldValue } from "./header-fields.ts";
export type { HeaderList } from "./header-fields.ts";
export { parseConnectRequest } from "./request-head.ts";
export type { ConnectRequest } from "./request-head.ts";
export { parseResponseHead } from "./response-head.ts";
export type { ResponseHead } from "./response-head.ts";
export { proxyStatusEntry, joinProxyStatus, lastProxyStatusMember, sfString } from "./proxy-status.ts";
export type { ProxyStatusMember, ProxyStatusParams } from "./proxy-status.ts";
export { formatConnectRequest } from "./request-writer.ts";
export { formatConnectEstablished, formatErrorResponse, formatRelayedResponse } from "./response-writer.ts";
export { TUNNEL_ID_HEADER, tunnelIdOf, viaEntry, viaIncludes } from "./hop-headers.ts";
export { formatSocketAddress, socketAddress } from "./socket-address.ts";
export type { SocketAddress } from "./socket-address.ts";
export { formatForwarded, parseForwarded } from "./forwarded.ts";
export type { ForwardedClient } from "./forwarded.ts";
export { PROXY_V2_SIGNATURE, proxyV2Header } from "./proxy-v2-header.ts";
export { Socks5Reader, SOCKS5_COMMAND, SOCKS5_METHOD } from "./socks5-reader.ts";
export type { Socks5Message } from "./socks5-reader.ts";
export {
  formatSocks5AuthStatus, formatSocks5MethodChoice, formatSocks5Reply, SOCKS5_REPLY, socks5ReplyForError,
  socks5ReplyForProxyStatus,
} from "./socks5-answers.ts";
export { ClientHelloReader, TLS_HANDSHAKE_RECORD } from "./client-hello-reader.ts";
export type { ClientHello } from "./client-hello-reader.ts";
export { formatTlsAlert, TLS_ALERT, tlsAlertForError, tlsAlertForProxyStatus } from "./tls-alert.ts";
