// What an ingress is known by at the peer: DNS and URI SANs (SPIFFE IDs) and the CN, read from the
// `subjectaltname` text Node gives, quoting included; IP and email SANs are not identities here.
import type tls from "node:tls";
import { describe, expect, it } from "vitest";
import { certificateNames } from "./ingress-identity.ts";

function certificate(subjectaltname: string | undefined, cn?: string | string[]): tls.PeerCertificate {
  return { subjectaltname, subject: cn === undefined ? {} : { CN: cn } } as unknown as tls.PeerCertificate;
}

describe("certificateNames", () => {
  it("lists DNS names and URIs in certificate order, then the CN", () => {
    const names = certificateNames(certificate(
      "DNS:hq.corp.example, URI:spiffe://corp.example/ingress/hq, IP Address:10.0.0.1, email:ops@corp.example",
      "hq",
    ));
    expect(names).toEqual(["hq.corp.example", "spiffe://corp.example/ingress/hq", "hq"]);
  });

  it("unquotes a value Node quoted because it holds a comma", () => {
    expect(certificateNames(certificate('URI:"spiffe://corp.example/a,b", DNS:x.example'))).toEqual(["spiffe://corp.example/a,b", "x.example"]);
  });

  it("has only the CN(s) when there are no SANs", () => {
    expect(certificateNames(certificate(undefined, ["a", "b"]))).toEqual(["a", "b"]);
  });
});
