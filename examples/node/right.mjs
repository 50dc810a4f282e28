// The right integration: bind, query, receive a push, unbind; every reply must be resultcode "0".
import assert from "node:assert/strict";
import { AXB, NUMBERS, call, numberStatusPush, receiver } from "./pns.mjs";

const server = await receiver(200);
try {
  const bound = await call("POST", AXB, {
    body: { relationNum: NUMBERS[0], callerNum: "+8613800000001", calleeNum: "+8613900000002" },
  });
  assert.equal(bound.resultcode, "0", JSON.stringify(bound));
  const found = await call("GET", AXB, { query: { subscriptionId: bound.subscriptionId } });
  assert.equal(found.resultcode, "0", JSON.stringify(found));
  await numberStatusPush(NUMBERS[0]);
  const gone = await call("DELETE", AXB, { query: { subscriptionId: bound.subscriptionId } });
  assert.equal(gone.resultcode, "0", JSON.stringify(gone));
  console.log("node: right integration done");
} finally {
  server.close();
}
