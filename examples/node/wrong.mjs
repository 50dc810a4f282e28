// A deliberately wrong integration: each request carries one classic mistake, and the receiver
// answers pushes with 500. It checks nothing, as such clients do: the verdict must catch it all.
import { APP_KEY, APP_SECRET, AXB, NUMBERS, call, headers, numberStatusPush, receiver } from "./pns.mjs";

const server = await receiver(500);
try {
  const body = { relationNum: NUMBERS[0], callerNum: "+8613800000001", calleeNum: "+8613900000002" };
  // 1. local time with a space, the format a database prints, instead of yyyy-MM-dd'T'HH:mm:ss'Z'
  const local = new Date().toISOString().slice(0, 19).replace("T", " ");
  await call("POST", AXB, { body, head: headers(APP_KEY, APP_SECRET, local) });
  // 2. the required calleeNum left out
  await call("POST", AXB, { body: { relationNum: NUMBERS[0], callerNum: "+8613800000001" } });
  // 3. signed with the wrong secret: the digest does not match
  await call("GET", AXB, { query: { relationNum: NUMBERS[0] }, head: headers(APP_KEY, "not-the-secret") });
  // 4. the receiver answers 500
  await numberStatusPush(NUMBERS[1]);
  console.log("node: wrong integration done");
} finally {
  server.close();
}
