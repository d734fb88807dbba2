// The stable `event` names of every log line either node writes. They are API for whoever reads the
// logs (dashboards, alerts): add freely, never rename casually. Documented in docs/log-events.md.

/** Every log event name, grouped by what it is about. */
export const LOG_EVENTS = {
  startup: "startup",
  listening: "listening",
  configLoaded: "config.loaded",
  configRejected: "config.rejected",
  configReloaded: "config.reloaded",
  configUnchanged: "config.unchanged",
  configRestartNeeded: "config.restart.needed",
  certLoaded: "cert.loaded",
  requestRejected: "request.rejected",
  routeMatch: "route.match",
  routeMiss: "route.miss",
  peerDialFailed: "peer.dial.failed",
  peerPoolDialFailed: "peer.pool.dial.failed",
  peerTicketRefused: "peer.ticket.refused",
  peerFailover: "peer.failover",
  peerH2Error: "peer.h2.error",
  peerResponse: "peer.response",
  viaProxyFailed: "via.proxy.failed",
  serviceDialFailed: "service.dial.failed",
  destinationDenied: "destination.denied",
  authGranted: "auth.granted",
  authDenied: "auth.denied",
  tunnelLimited: "tunnel.limited",
  tunnelOpen: "tunnel.open",
  tunnelClose: "tunnel.close",
  signal: "signal",
  shutdown: "shutdown",
  internalError: "internal.error",
  adminListening: "admin.listening",
  peerDown: "peer.down",
  peerUp: "peer.up",
  peerEjected: "peer.ejected",
  peerReturned: "peer.returned",
  workerStarted: "worker.started",
  workerExit: "worker.exit",
  memoryProbe: "memory.probe",
} as const;

/** One of the event names above. */
export type LogEvent = (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];
