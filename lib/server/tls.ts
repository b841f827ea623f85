import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import selfsigned from "selfsigned";
import type { AppConfig } from "@/lib/config";

export type TlsMaterial = { cert: string; key: string; selfSigned: boolean; certFile: string };

/**
 * The operator's certificate when TLS_CERT_FILE/TLS_KEY_FILE are set; otherwise a self-signed
 * one for this machine's names, made on first start and kept in the data folder so browsers
 * that accepted it once keep accepting it across restarts.
 */
export async function loadTlsMaterial(config: AppConfig): Promise<TlsMaterial> {
  if (config.tls.certFile && config.tls.keyFile) {
    return {
      cert: readOrExplain(config.tls.certFile, "TLS_CERT_FILE"),
      key: readOrExplain(config.tls.keyFile, "TLS_KEY_FILE"),
      selfSigned: false,
      certFile: config.tls.certFile,
    };
  }
  const dir = path.join(config.dataDir, "tls");
  const certFile = path.join(dir, "self-signed-cert.pem");
  const keyFile = path.join(dir, "self-signed-key.pem");
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8"), selfSigned: true, certFile };
  }
  const hostname = os.hostname();
  const pems = await selfsigned.generate([{ name: "commonName", value: "Bridgehead (self-signed)" }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          ...(hostname && hostname !== "localhost" ? [{ type: 2 as const, value: hostname }] : []),
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, selfSigned: true, certFile };
}

function readOrExplain(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${variable} points to ${file}, which cannot be read: ${(error as Error).message}`);
  }
}
