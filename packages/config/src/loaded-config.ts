// What the config loaders hand the runtime and the commands: the exact options a role starts with,
// plus what the node around the role needs (grace period, certificate facts for logs and `check`).
import type { IngressOptions } from "@tlsbridge/ingress";
import type { PeerOptions } from "@tlsbridge/peer";
import type { CertificateInfo } from "./certificate-info.ts";
import type { OpsSettings } from "./ops-settings.ts";
import type { RunAs } from "./run-as.ts";

/** Fields both loaded configs carry. */
type LoadedCommon = {
  /** The config file as displayed in messages. */
  readonly file: string;
  readonly shutdownGraceMs: number;
  /** How long the listeners stay open after a stop signal, readiness already 503. */
  readonly drainDelayMs: number;
  /** Every certificate read (CA bundles, node and listener certificates), in config order. */
  readonly certificates: readonly CertificateInfo[];
  /** Admin listener, workers, file watching. */
  readonly ops: OpsSettings;
  /** `user:`/`group:`: whom a node started as root becomes once its listeners are bound. */
  readonly runAs: RunAs | undefined;
  /** Absolute paths of every file read (the config, rule files, CA, certificates, keys): what a reload watches. */
  readonly files: readonly string[];
};

/** A validated, frozen ingress config. */
export type LoadedIngressConfig = LoadedCommon & {
  readonly kind: "ingress";
  readonly options: IngressOptions;
  /** Displayed rule file of each listener, parallel to `options.listeners`. */
  readonly ruleFiles: readonly string[];
};

/** A validated, frozen peer config. */
export type LoadedPeerConfig = LoadedCommon & {
  readonly kind: "peer";
  readonly options: PeerOptions;
};

/** Either kind. */
export type LoadedConfig = LoadedIngressConfig | LoadedPeerConfig;
