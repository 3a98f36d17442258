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
