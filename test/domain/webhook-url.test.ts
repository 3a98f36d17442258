import { describe, expect, it } from "vitest";
import { webhookUrlProblem } from "../../src/domain/webhook-url";

const deployed = { allowLocal: false };
const local = { allowLocal: true };

describe("webhook URLs", () => {
  it("takes public https URLs", () => {
    for (const url of [
      "https://hooks.example.com/orders",
      "https://example.com:8443/a?b=c",
      "https://[2606:4700::1111]/hook",
      "https://8.8.8.8/hook",
    ]) {
      expect(webhookUrlProblem(url, deployed), url).toBeUndefined();
    }
  });

  it.each([
    ["http://hooks.example.com/", "must be https"],
    ["ftp://example.com/", "must be https"],
    ["not a url", "must be an absolute URL"],
    ["https://user:pass@example.com/", "must not carry credentials"],
    ["https://example.com/#frag", "must not have a fragment"],
    ["https://localhost/", "must not name this machine or a local network"],
    ["https://api.localhost/", "must not name this machine or a local network"],
    ["https://printer.local/", "must not name this machine or a local network"],
    ["https://metadata.google.internal/", "must not name this machine or a local network"],
    ["https://intranet/", "must not name this machine or a local network"],
  ])("refuses %s", (url, problem) => {
    expect(webhookUrlProblem(url, deployed)).toBe(problem);
  });

  it.each([
    "https://127.0.0.1/",
    "https://127.1/",
    "https://2130706433/",
    "https://0x7f.0.0.1/",
    "https://10.1.2.3/",
    "https://172.16.0.1/",
    "https://172.31.255.255/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://[::1]/",
    "https://[::]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[64:ff9b::10.0.0.1]/",
    "https://[fd00:ec2::254]/",
    "https://[fe80::1]/",
    "https://[ff02::1]/",
  ])("refuses the reserved address %s", (url) => {
    expect(webhookUrlProblem(url, deployed)).toBe("must not be a loopback, private, link-local or metadata address");
  });

  it("keeps public neighbours of reserved ranges", () => {
    for (const url of ["https://172.32.0.1/", "https://11.0.0.1/", "https://[2606:4700::1]/", "https://169.255.0.1/"]) {
      expect(webhookUrlProblem(url, deployed), url).toBeUndefined();
    }
  });

  it("admits a receiver on this machine only when local receivers are allowed", () => {
    for (const url of ["http://127.0.0.1:9000/hook", "http://[::1]:9000/", "https://127.0.0.1/"]) {
      expect(webhookUrlProblem(url, local), url).toBeUndefined();
      expect(webhookUrlProblem(url, deployed), url).toBeDefined();
    }
    expect(webhookUrlProblem("http://localhost:9000/", local)).toBe("must be https (or http://127.0.0.1 locally)");
    expect(webhookUrlProblem("http://10.0.0.1/", local)).toBe("must be https (or http://127.0.0.1 locally)");
    expect(webhookUrlProblem("http://user:pw@127.0.0.1:9000/", local)).toBe("must not carry credentials");
  });
});

describe("webhook URLs at the edges of the rules", () => {
  const BLOCKED = "must not be a loopback, private, link-local or metadata address";

  it("refuses credentials given as a user name alone, or a password alone", () => {
    for (const url of ["https://user@example.com/", "https://:secret@example.com/"]) {
      expect(webhookUrlProblem(url, deployed), url).toBe("must not carry credentials");
    }
  });

  it("admits only http and https on this machine, even when local receivers are allowed", () => {
    for (const url of ["ws://127.0.0.1:9000/", "ftp://127.0.0.1/", "httpx://127.0.0.1/"]) {
      expect(webhookUrlProblem(url, local), url).toBe("must be https (or http://127.0.0.1 locally)");
    }
    expect(webhookUrlProblem("wss://127.0.0.1/", local)).toBe("must be https (or http://127.0.0.1 locally)");
    expect(webhookUrlProblem("xhttp://127.0.0.1/", local)).toBe("must be https (or http://127.0.0.1 locally)");
  });

  it("treats a name with a trailing dot as the name", () => {
    expect(webhookUrlProblem("https://localhost./", deployed)).toBe("must not name this machine or a local network");
    expect(webhookUrlProblem("https://intranet./", deployed)).toBe("must not name this machine or a local network");
    expect(webhookUrlProblem("https://printer.local./", deployed)).toBe(
      "must not name this machine or a local network",
    );
    expect(webhookUrlProblem("https://hooks.example.com./", deployed)).toBeUndefined();
  });

  it("refuses every local suffix, and names that only look like one", () => {
    for (const host of ["a.localhost", "a.local", "a.internal", "a.localdomain", "a.home.arpa", "a.lan"]) {
      expect(webhookUrlProblem(`https://${host}/`, deployed), host).toBe(
        "must not name this machine or a local network",
      );
    }
    for (const host of ["localhost.example.com", "local.example.com", "lan.example.com", "example.land"]) {
      expect(webhookUrlProblem(`https://${host}/`, deployed), host).toBeUndefined();
    }
  });

  it("refuses the documentation, benchmarking and protocol-assignment ranges, not their neighbours", () => {
    for (const [inside, outside] of [
      ["192.0.0.8", "192.0.1.1"],
      ["192.0.2.1", "192.0.3.1"],
      ["198.18.0.1", "198.20.0.1"],
      ["198.19.255.254", "198.17.255.254"],
      ["198.51.100.7", "198.51.101.7"],
      ["203.0.113.9", "203.0.114.9"],
    ]) {
      expect(webhookUrlProblem(`https://${inside}/`, deployed), inside).toBe(BLOCKED);
      expect(webhookUrlProblem(`https://${outside}/`, deployed), outside).toBeUndefined();
    }
  });

  it("reads a host of four numbers as an address and anything else as a name", () => {
    // Four labels that are not all numbers are a name, checked as one: here a local one.
    expect(webhookUrlProblem("https://10.0.0.local/", deployed)).toBe("must not name this machine or a local network");
    expect(webhookUrlProblem("https://10.0.0.example.com/", deployed)).toBeUndefined();
    expect(webhookUrlProblem("https://1.2.3.4.example.com/", deployed)).toBeUndefined();
  });

  // IANA's IPv6 special-purpose registry, and what carries an IPv4 address: each refused, by its RFC.
  it.each([
    ["unspecified ::/128 (RFC 4291)", "https://[::]/"],
    ["loopback ::1/128 (RFC 4291)", "https://[::1]/"],
    ["IPv4-compatible ::/96 (RFC 4291)", "https://[::127.0.0.1]/"],
    ["IPv4-compatible metadata ::/96 (RFC 4291)", "https://[::169.254.169.254]/"],
    ["IPv4-mapped ::ffff:0:0/96 (RFC 4291), even of a public address", "https://[::ffff:8.8.8.8]/"],
    ["IPv4-translated ::ffff:0:0:0/96 (RFC 2765)", "https://[::ffff:0:169.254.169.254]/"],
    ["NAT64 64:ff9b::/96 (RFC 6052)", "https://[64:ff9b::1.1.1.1]/"],
    ["local-use NAT64 64:ff9b:1::/48 (RFC 8215)", "https://[64:ff9b:1::a9fe:a9fe]/"],
    ["discard-only 100::/64 (RFC 6666)", "https://[100::1]/"],
    ["IETF protocol assignments 2001::/23 (RFC 2928)", "https://[2001:1ff::1]/"],
    ["Teredo 2001::/32 (RFC 4380)", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/"],
    ["benchmarking 2001:2::/48 (RFC 5180)", "https://[2001:2::1]/"],
    ["ORCHIDv2 2001:20::/28 (RFC 7343)", "https://[2001:20::1]/"],
    ["documentation 2001:db8::/32 (RFC 3849)", "https://[2001:db8::1]/"],
    ["6to4 2002::/16 carrying link-local (RFC 3056)", "https://[2002:a9fe:a9fe::]/"],
    ["6to4 2002::/16 carrying loopback (RFC 3056)", "https://[2002:7f00:1::1]/"],
    ["documentation 3fff::/20 (RFC 9637)", "https://[3fff::1]/"],
    ["SRv6 SIDs 5f00::/16 (RFC 9602)", "https://[5f00::1]/"],
    ["unique local fc00::/7 (RFC 4193)", "https://[fd12:3456::1]/"],
    ["link-local fe80::/10 (RFC 4291)", "https://[fe80::1]/"],
    ["site-local fec0::/10 (RFC 3879)", "https://[fec0::1]/"],
    ["multicast ff00::/8 (RFC 4291)", "https://[ff02::1]/"],
    ["outside global unicast 2000::/3 (RFC 4291)", "https://[1::ffff:7f00:1]/"],
  ])("refuses %s", (_range, url) => {
    expect(webhookUrlProblem(url, deployed)).toBe(BLOCKED);
  });

  it("takes global unicast addresses outside those blocks, and 6to4 carrying a public address", () => {
    for (const url of [
      "https://[2606:4700:4700::1111]/",
      "https://[2001:4860:4860::8888]/",
      "https://[2001:200::1]/",
      "https://[2002:808:808::1]/",
      "https://[3fff:1000::1]/",
      "https://[2a00:1450:4001::200e]/",
      // The first address of 2000::/3; a second group below 2001::/23's outside 2001::; groups that would
      // read as 10.0.0.0 outside 6to4.
      "https://[2000::1]/",
      "https://[2600:1::1]/",
      "https://[2606:a00::1]/",
    ]) {
      expect(webhookUrlProblem(url, deployed), url).toBeUndefined();
    }
  });

  it("strips every trailing dot before judging a name", () => {
    for (const url of ["https://localhost..:19112/", "https://metadata.google.internal../", "https://intranet../"]) {
      expect(webhookUrlProblem(url, deployed), url).toBe("must not name this machine or a local network");
    }
    expect(webhookUrlProblem("https://127.0.0.1../", deployed)).toBe(BLOCKED);
  });

  it("refuses a cluster's service names and RFC 6762's private suffixes", () => {
    for (const url of [
      "https://kubernetes.default.svc/",
      "https://api.default.svc.cluster.local/",
      "https://wiki.corp/",
      "https://nas.home/",
      "https://db.private/",
      "https://portal.intranet/",
    ]) {
      expect(webhookUrlProblem(url, deployed), url).toBe("must not name this machine or a local network");
    }
  });

  it("takes port 443 and ports from 1024 up, and refuses the other well-known ports", () => {
    for (const url of [
      "https://hooks.example.com:443/",
      "https://hooks.example.com:8443/",
      "https://hooks.example.com:1024/",
    ]) {
      expect(webhookUrlProblem(url, deployed), url).toBeUndefined();
    }
    for (const url of [
      "https://hooks.example.com:25/",
      "https://hooks.example.com:22/",
      "https://hooks.example.com:80/",
    ]) {
      expect(webhookUrlProblem(url, deployed), url).toBe("must use port 443, or a port from 1024 up");
    }
  });
});
