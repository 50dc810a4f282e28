// A PNS client as a Node shop writes it: built-in fetch and crypto, AKSK headers by hand.
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:http";

export const BASE = process.env.PNS_BASE_URL;
export const ADMIN = process.env.PNS_ADMIN_URL;
export const APP_KEY = process.env.PNS_AXB_APP_KEY;
export const APP_SECRET = process.env.PNS_AXB_APP_SECRET;
export const NUMBERS = (process.env.PNS_AXB_NUMBERS || "").split(",");
export const AXB = "/rest/caas/relationnumber/partners/v1.0";

// yyyy-MM-dd'T'HH:mm:ss'Z', in UTC
export const utcNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export function headers(appKey, secret, created = utcNow()) {
  const nonce = randomUUID().replaceAll("-", "").toUpperCase();
  const digest = createHmac("sha256", secret).update(nonce + created).digest("base64");
  return {
    "Content-Type": "application/json;charset=UTF-8",
    Authorization: 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
    "X-AKSK": `UsernameToken Username="${appKey}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`,
  };
}

export async function call(method, path, { query, body, head } = {}) {
  const url = new URL(BASE + path);
  for (const [k, v] of Object.entries(query || {})) url.searchParams.set(k, v);
  const reply = await fetch(url, {
    method,
    headers: head || headers(APP_KEY, APP_SECRET),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return reply.json();
}

// The push receiver: answers every push with `status` (the platform wants 200 and an empty body).
export function receiver(status) {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(status);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(18083, "127.0.0.1", () => resolve(server)));
}

// Ask the mock to push a number-status change, and wait until it reached the receiver.
export async function numberStatusPush(number) {
  const admin = (path, init) => fetch(ADMIN + path, init).then((r) => r.json());
  await admin(`/numbers/${encodeURIComponent(number)}/status`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ status: "10", cause: "2" }),
  });
  for (let i = 0; i < 250; i++) {
    const pushes = (await admin("/pushes?webhook=numStatus")).result;
    if (pushes.some((p) => p.attempts.length > 0)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the numStatus push never arrived");
}
