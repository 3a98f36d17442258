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
    for (const url of ["https://172.32.0.1/", "https://11.0.0.1/", "https://[fc::1]/", "https://169.255.0.1/"]) {
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

  it("reads an IPv4 address carried in IPv6 by both of its halves", () => {
    for (const url of [
      "https://[::ffff:10.255.0.1]/",
      "https://[::ffff:192.168.0.1]/",
      "https://[64:ff9b::127.0.0.1]/",
      "https://[::ffff:7f00:1]/",
    ]) {
      expect(webhookUrlProblem(url, deployed), url).toBe(BLOCKED);
    }
    for (const url of ["https://[::ffff:8.8.8.8]/", "https://[64:ff9b::1.1.1.1]/", "https://[::ffff:b00:1]/"]) {
      expect(webhookUrlProblem(url, deployed), url).toBeUndefined();
    }
    // Not a mapped address: more than the two halves after the prefix.
    expect(webhookUrlProblem("https://[1::ffff:7f00:1]/", deployed)).toBeUndefined();
    expect(webhookUrlProblem("https://[::ffff:7f00:1:2]/", deployed)).toBeUndefined();
  });

  it("refuses IPv6 local ranges by their first group only", () => {
    expect(webhookUrlProblem("https://[fc00::1]/", deployed)).toBe(BLOCKED);
    expect(webhookUrlProblem("https://[fec0::1]/", deployed)).toBe(BLOCKED);
    for (const url of ["https://[2001:db8:fc00::1]/", "https://[2001:fe80::1]/", "https://[2001:ff02::1]/"]) {
      expect(webhookUrlProblem(url, deployed), url).toBeUndefined();
    }
  });
});
