#!/usr/bin/env node
// The official Node.js SDK (tencentcloud-sdk-nodejs-common, CommonClient)
// against `tccert emulator --tls`, unchanged: it signs the host without its
// port and takes the service name from the endpoint's first label, so it is
// pointed at `ssl.localhost:PORT`; the emulator's CA is trusted through an
// https.Agent, which also resolves ssl.localhost to 127.0.0.1 (so the check
// needs no /etc/hosts line). docs/cli.md, "Official clients against the
// emulator", shows the same set-up.
//
// Usage: NODE_PATH=DIR/node_modules node tests/conformance/node_sdk_conformance.js /path/to/tccert
// Prints one line per check and `N passed, M failed`; exit 1 when any failed.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const https = require("https");
const os = require("os");
const path = require("path");
const readline = require("readline");
const { CommonClient } = require("tencentcloud-sdk-nodejs-common");

const SECRET_ID = "AKIDnodeconformance000000000000000000";
const SECRET_KEY = "nodeConformanceSecretKey000000000";

async function main() {
  const binary = path.resolve(process.argv[2] || "");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tccert-node-"));
  const caFile = path.join(scratch, "ca.pem");
  const emulator = spawn(binary, ["emulator", "--listen", "127.0.0.1:0", "--tls", "--tls-ca-out", caFile,
    "--seed-id", "abcb1234=www.example.com"], {
    env: Object.assign({}, process.env, { TENCENTCLOUD_SECRET_ID: SECRET_ID, TENCENTCLOUD_SECRET_KEY: SECRET_KEY }),
    stdio: ["ignore", "pipe", "ignore"],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no URL line within 30 s")), 30000);
    readline.createInterface({ input: emulator.stdout }).once("line", (line) => { clearTimeout(timer); resolve(line); });
  });
  const port = url.split(":").pop();
  const agent = new https.Agent({
    ca: fs.readFileSync(caFile),
    lookup: (host, options, callback) => (options && options.all)
      ? callback(null, [{ address: "127.0.0.1", family: 4 }])
      : callback(null, "127.0.0.1", 4),
  });
  const client = new CommonClient(`ssl.localhost:${port}`, "2019-12-05", {
    credential: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    region: "",
    profile: { httpProfile: { agent } },
  });
  let passed = 0;
  let failed = 0;
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      passed += 1;
      console.log(`PASS ${name}${detail ? ` (${detail})` : ""}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name}: ${error.code || ""} ${error.message}`);
    }
  };
  const expect = (condition, message) => { if (!condition) throw new Error(message); };
  const tags = [{ TagKey: "tccert:certificate", TagValue: "node" }];
  let id = "";
  await check("node sdk DescribeCertificateDetail over https, ssl.localhost", async () => {
    const reply = await client.request("DescribeCertificateDetail", { CertificateId: "abcb1234" });
    expect(reply.Status === 5 && reply.Domain === "www.example.com", JSON.stringify(reply));
    return reply.RequestId;
  });
  await check("node sdk CreateCertificate", async () => {
    const reply = await client.request("CreateCertificate", { ProductId: 9, DomainNum: 1, TimeSpan: 1, Tags: tags });
    expect(reply.CertificateIds.length === 1, JSON.stringify(reply));
    id = reply.CertificateIds[0];
    return id;
  });
  await check("node sdk DescribeCertificates by tag", async () => {
    const reply = await client.request("DescribeCertificates", { Tags: tags });
    expect(reply.TotalCount === 1 && reply.Certificates[0].CertificateId === id, JSON.stringify(reply));
    expect("PackageTypeName" in reply.Certificates[0], "no PackageTypeName");
  });
  await check("node sdk sees the API's error codes", async () => {
    try {
      await client.request("CancelAuditCertificate", { CertificateId: id });
    } catch (error) {
      expect(error.code === "FailedOperation.CertificateNotFoundOrCantCancel", error.code);
      return error.code;
    }
    throw new Error("no error for a certificate at 5");
  });
  emulator.kill("SIGTERM");
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => { console.log(`FAIL ${error.message}`); process.exit(1); });
