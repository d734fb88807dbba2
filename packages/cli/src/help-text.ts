// `--help` for the program and each command: what it does, its options, and an example that works
// from a fresh clone.
import { CONFIG_DEFAULTS, POOL_DEFAULTS } from "@tlsbridge/config";
import { LOG_LEVEL_ENV } from "@tlsbridge/runtime";

const d = CONFIG_DEFAULTS;

/** Help texts by command (`""` is the program itself). */
export const HELP_TEXT = {
  "": `tlsbridge: a two-node TLS bridge tunnel (ingress -> mTLS -> peer -> service)

Usage:
  tlsbridge ingress --config FILE     run the ingress (accepts CONNECT, routes to peers)
  tlsbridge peer --config FILE        run the peer (accepts mTLS from ingresses, dials services)
  tlsbridge check --config FILE [--as NAME] [host:port ...]
                                      validate a config and every file it names; show routes
  tlsbridge pki init DIR              make a private CA and the two node certificates
  tlsbridge pki issue DIR --role R --name NAME
                                      one more node certificate from that CA (others untouched)
  tlsbridge rules import-ats FILE     convert an ATS tls_bridge config or rule file to a rule file
  tlsbridge auth add FILE USER        add a user (or change its password) in a proxy users file
  tlsbridge auth hash                 print a password hash for a users file line
  tlsbridge completion bash           print the bash completion script

Options:
  -h, --help       show help (also: tlsbridge COMMAND --help, which lists its options and config keys)
  -V, --version    print the version

Description:
  An ingress inside your network takes CONNECT host:port from clients, picks a peer by the site's
  anchored regex rules, and carries the tunnel to it over mutual TLS 1.3; the peer checks its allow
  list, resolves the name and dials the service. Each node reads one YAML config; every error in
  it names the file, line and column. Nothing is allowed unless a config says so.

Files:
  ingress.yaml, peer.yaml   a node's config (examples: configs/; in packages: /etc/tlsbridge/)
  sites/*.yaml              an ingress site's rules (one file per listener)
  pki/                      the private CA and the node certificates (tlsbridge pki init)

Environment:
  ${LOG_LEVEL_ENV}       default log level (trace, debug, info, warn, error, fatal, silent)
  TLSBRIDGE_DEBUG           print the stack of an unexpected error

Signals (ingress, peer):
  SIGTERM, SIGINT   readiness 503, listeners close after drainDelayMs, tunnels drain for
                    shutdownGraceMs, exit 0; a second signal exits at once
  SIGHUP            validate the config and every file it names, reload for new tunnels

Exit codes: 0 ok, 2 usage or config error, 1 runtime failure.

See also: README.md; docs/operations.md (admin listener, reloads, workers, user:/group:),
docs/deployment.md (Docker, Kubernetes, single executable, systemd), docs/errors.md (statuses),
docs/log-events.md (log lines).
Try: npm start (a local demo), then: tlsbridge check --config configs/ingress.yaml localhost:9080
`,
  ingress: nodeHelp("ingress", `Accepts HTTP CONNECT, SOCKS5 or TLS (routed by its SNI name) on each listener, routes the
target host by the listener's rule file, and replays it as a CONNECT to the chosen peer over mutual TLS.

Config keys (ingress.yaml): listeners[{listen, rules, protocol?=http|socks5|sni, tls?{cert, key} (http),
auth?{users} (http, socks5), targetPort?=443 (sni), clients?[CIDR]}],
peers{NAME: {address, servername?, mode?=auto|h1|h2, pool?{size=${POOL_DEFAULTS.size}, maxIdleMs=${POOL_DEFAULTS.maxIdleMs}},
  via?=URL|{proxy, ca?, credentialsFile?|credentialsEnv?}}},
peerGroups?{NAME: [PEER, ...]}, peerHealth?{intervalMs=${d.peerHealth.intervalMs}, failuresToEject=${d.peerHealth.failuresToEject}, passesToReturn=${d.peerHealth.passesToReturn}},
tls{ca, cert, key}, limits{maxHeadBytes=${d.ingress.limits.maxHeadBytes}, headTimeoutMs=${d.ingress.limits.headTimeoutMs},
peerConnectTimeoutMs=${d.ingress.limits.peerConnectTimeoutMs}, peerResponseTimeoutMs=${d.ingress.limits.peerResponseTimeoutMs}, idleTimeoutMs=${d.ingress.limits.idleTimeoutMs},
maxTunnels=${d.ingress.limits.maxTunnels}, maxTunnelsPerClient=${d.ingress.limits.maxTunnelsPerClient}, maxTunnelLifetimeMs=${d.ingress.limits.maxTunnelLifetimeMs} (0: none)},
keyExchangeGroups=${d.keyExchangeGroups}, shutdownGraceMs=${d.shutdownGraceMs}, drainDelayMs=${d.drainDelayMs}, node=${d.ingress.node}.`),
  peer: nodeHelp("peer", `Accepts mutual TLS from ingresses, checks each CONNECT against its allow list (for that
ingress's identity), resolves the name, checks the addresses it resolved to, dials the service and splices.

Config keys (peer.yaml): listen, tls{ca, cert, key}, allow[{match, ports?, ingresses?[REGEX], addresses?[CIDR], proxyProtocol?=v2}]
(empty allows nothing; loopback, link-local, metadata, unspecified and multicast addresses only via addresses),
ingresses[REGEX] (absent: any ingress certificate from the CA), dns{servers[IP[:PORT]]} (absent: the system's resolver),
limits{maxHeadBytes=${d.peer.limits.maxHeadBytes}, headTimeoutMs=${d.peer.limits.headTimeoutMs}, tlsHandshakeTimeoutMs=${d.peer.limits.tlsHandshakeTimeoutMs},
serviceConnectTimeoutMs=${d.peer.limits.serviceConnectTimeoutMs}, idleTimeoutMs=${d.peer.limits.idleTimeoutMs},
maxTunnels=${d.peer.limits.maxTunnels}, maxTunnelsPerIngress=${d.peer.limits.maxTunnelsPerIngress}, maxTunnelLifetimeMs=${d.peer.limits.maxTunnelLifetimeMs} (0: none)},
keyExchangeGroups=${d.keyExchangeGroups}, shutdownGraceMs=${d.shutdownGraceMs}, drainDelayMs=${d.drainDelayMs}, node=${d.peer.node}.`),
  check: `Usage: tlsbridge check --config FILE [--as NAME] [host:port ...]

Validates an ingress or a peer config (told apart by its keys) and every file it names: rule files,
CA, certificates and keys (parsed; subject and expiry printed). Starts nothing.
With targets: for an ingress, each site's matching rule (file:line:col) and the peer it goes to,
or why no rule matches; for a peer, which allow entries admit the target (file:line:col), the
addresses its name may resolve to, or why it is refused (an IP target is checked as dialed).

Options:
  -c, --config FILE   the config file (required)
  --as NAME           ingress: decide for the proxy user NAME (rules with \`users:\`; without
                      --as, for a client that did not log in); peer: decide for the ingress whose
                      certificate carries NAME (a DNS name, a URI such as
                      spiffe://corp.example/ingress/hq, or the CN): entries with \`ingresses:\`
                      that do not match it are shown as refusing
  -h, --help          show this help

Examples: tlsbridge check --config configs/ingress.yaml localhost:9080 example.org:443
          tlsbridge check --config configs/ingress.yaml --as alice localhost:9080
          tlsbridge check --config configs/peer.yaml --as spiffe://tlsbridge.test/ingress/hq localhost:9080
Exit codes: 0 valid (also when a target would be refused: the answer is printed), 2 usage or
config error (one file:line:col: message per problem).
`,
  auth: `Usage: tlsbridge auth add FILE USER
       tlsbridge auth hash

Proxy authentication users for an ingress listener (\`auth: { users: FILE }\`): one \`user:hash\` per
line, the hash scrypt with a random salt per user (\`$scrypt$ln=15,r=8,p=1$SALT$HASH\`).
The password is read from the terminal (typed twice, not echoed) or the first line of stdin;
never from the command line.

  add FILE USER   add USER to FILE, or change its password (FILE is created with mode 0600;
                  a running ingress reloads it)
  hash            print the hash of a password, for a line written by other means

Options:
  -h, --help   show this help

Example: printf '%s\\n' "$PASSWORD" | tlsbridge auth add configs/sites/hq-users.htpasswd alice
`,
  pki: `Usage: tlsbridge pki init DIR [--force] [--peer-name NAME ...] [--ingress-name NAME] [--spiffe-id URI]
       tlsbridge pki issue DIR --role ingress|peer --name NAME [--name NAME ...] [--spiffe-id URI]
                               [--out STEM] [--force]

init: makes a private CA (ca.pem, ca-key.pem), the peer's server certificate (peer.pem,
peer-key.pem; names localhost, 127.0.0.1, ::1, peer.tlsbridge.test plus every --peer-name) and the
ingress's client certificate (ingress.pem, ingress-key.pem) in DIR. Keys are written with mode 0600.
issue: signs one more node certificate with DIR's ca.pem and ca-key.pem (a second ingress, a
renewed peer) and writes STEM.pem and STEM-key.pem; no other file in DIR is touched.

Options:
  --force              replace existing files (without it, nothing is overwritten)
  --peer-name NAME     init: an extra name the ingress dials the peer by (repeatable; the first is the CN)
  --ingress-name NAME  init: the ingress certificate's name (default ingress.tlsbridge.test)
  --spiffe-id URI      a SPIFFE ID (spiffe://trust-domain/path) as a URI SAN: init puts it in the
                       ingress certificate, issue in the new one; a peer's \`ingresses:\` can match it
  --role ingress|peer  issue: a client certificate for an ingress, or a server certificate for a
                       peer (which also names localhost, 127.0.0.1, ::1, peer.tlsbridge.test)
  --name NAME          issue: a DNS name or IP address (repeatable; the first is the CN)
  --out STEM           issue: file names STEM.pem, STEM-key.pem (default: the first --name)
  -h, --help           show this help

Examples: tlsbridge pki init pki --peer-name peer.cloud.example --spiffe-id spiffe://corp.example/ingress/hq
          tlsbridge pki issue pki --role ingress --name branch.corp.example --spiffe-id spiffe://corp.example/ingress/branch
          tlsbridge pki issue pki --role peer --name peer.cloud.example --out peer --force   (renewal)
`,
  completion: `Usage: tlsbridge completion bash

Prints a bash completion script for tlsbridge: commands, subcommands, options, log levels, and
file names after --config and --out.

Options:
  -h, --help   show this help

Example: tlsbridge completion bash | sudo tee /etc/bash_completion.d/tlsbridge
         (or: source <(tlsbridge completion bash) in ~/.bashrc)
`,
} as const;

/** A command with help. */
export type HelpTopic = keyof typeof HELP_TEXT;

function nodeHelp(role: "ingress" | "peer", about: string): string {
  return `Usage: tlsbridge ${role} --config FILE [--log-level LEVEL] [--pretty]

${about}
Relative paths in the config resolve against the file that names them.

Options:
  -c, --config FILE     the config file (required)
  --log-level LEVEL     trace, debug, info, warn, error, fatal or silent (default: $${LOG_LEVEL_ENV}, else info)
  --pretty              human-readable logs instead of JSON lines
  -h, --help            show this help

Operations keys: admin{listen, peerProbeIntervalMs=${d.admin.peerProbeIntervalMs}} (no admin listener unless set;
/healthz, /readyz, /metrics), workers=${d.workers} (N or auto), watchFiles=${d.watchFiles},
user?, group? (started as root: read the keys, bind the listeners, then run as that user). See docs/operations.md.

Logs: JSON lines on stdout, each with an \`event\` (startup, config.loaded, cert.loaded, tunnel.close, ...).
SIGTERM/SIGINT: stop accepting, let tunnels drain for shutdownGraceMs, exit 0 (1 if still not stopped 1 s
after it); a second signal exits at once (1). With drainDelayMs, /readyz answers 503 at once and the
listeners keep accepting that long before they close.
SIGHUP (or a changed config, rule or certificate file): validate and reload for new tunnels (once per change).
Example: tlsbridge ${role} --config configs/${role}.yaml --pretty
`;
}
