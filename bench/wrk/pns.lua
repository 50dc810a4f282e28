-- wrk script for bench/run.sh: the same requests go to pns-mock, Prism, WireMock and the bare app.
--
-- Environment (set by bench/harness.py right before each wrk run):
--   PNS_SCENARIO       "mix" (AXB bind + unbind, alternating) or "query" (AXB query by X + A)
--   PNS_AUTHORIZATION  the Authorization header  } AKSK, signed in Python just before the run:
--   PNS_XAKSK          the X-AKSK header          } Created is valid +/-300 s and the mock
--                                                   does not check nonce replay, so one
--                                                   signature serves the whole run
--   PNS_RUN            one digit, different for each wrk run against one server process, so
--                      the A/B numbers of a run never clash with bindings left by an earlier one
--   PNS_TARGETS        (query) file of "relationNum callerNum" lines: bindings made beforehand
--
-- wrk runs one Lua state per thread. Per-thread state: a counter for unique numbers, and a queue
-- of subscription ids taken from bind replies, which the next requests unbind. A reply is
-- recognised as a bind reply by its subscriptionId, so the script needs no per-connection state.
-- Every reply that is not HTTP 200 with "resultcode":"0" counts as an error.

local PATH = "/rest/caas/relationnumber/partners/v1.0"

local scenario, headers, run
local counter = 0
local queue, qhead, qtail = {}, 1, 0
local targets, ntargets, tnext = {}, 0, 0

-- read back by done() through thread:get, so globals
errors = 0
binds = 0
unbinds = 0
queries = 0
first_error = ""

local threads = {}
local next_tid = 1

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

local function urlencode_plus(s)
   return (s:gsub("%+", "%%2B"))
end

function init(args)
   scenario = os.getenv("PNS_SCENARIO") or "mix"
   run = tonumber(os.getenv("PNS_RUN") or "1") % 10
   headers = {
      ["Content-Type"] = "application/json;charset=UTF-8",
      ["Authorization"] = os.getenv("PNS_AUTHORIZATION") or "",
      ["X-AKSK"] = os.getenv("PNS_XAKSK") or "",
   }
   if scenario == "query" then
      local f = assert(io.open(os.getenv("PNS_TARGETS"), "r"))
      for line in f:lines() do
         local x, a = line:match("^(%S+)%s+(%S+)$")
         if x then
            ntargets = ntargets + 1
            targets[ntargets] = PATH .. "?relationNum=" .. urlencode_plus(x)
               .. "&callerNum=" .. urlencode_plus(a)
         end
      end
      f:close()
      assert(ntargets > 0, "no query targets in " .. os.getenv("PNS_TARGETS"))
      -- threads start at different offsets so they do not walk the list in step
      tnext = (tid * 7919) % ntargets
   end
end

function request()
   if scenario == "query" then
      tnext = tnext % ntargets + 1
      return wrk.format("GET", targets[tnext], headers)
   end
   if qhead <= qtail then
      local sid = queue[qhead]
      queue[qhead] = nil
      qhead = qhead + 1
      return wrk.format("DELETE", PATH .. "?subscriptionId=" .. sid, headers)
   end
   counter = counter + 1
   -- +86 13|15 <run> <thread> <7-digit counter>: unique A and B numbers for every bind
   local body = string.format(
      '{"callerNum":"+8613%d%d%07d","calleeNum":"+8615%d%d%07d","areaCode":"0755","areaMatchMode":"1"}',
      run, tid, counter, run, tid, counter)
   return wrk.format("POST", PATH, headers, body)
end

function response(status, hdrs, body)
   local ok = status == 200 and body:find('"resultcode":"0"', 1, true) ~= nil
   if not ok then
      errors = errors + 1
      if first_error == "" then
         first_error = tostring(status) .. " " .. (body or ""):sub(1, 200)
      end
   end
   if scenario == "query" then
      queries = queries + 1
      return
   end
   local sid = body:match('"subscriptionId":"([^"]+)"')
   if sid then
      binds = binds + 1
      qtail = qtail + 1
      queue[qtail] = sid
   else
      unbinds = unbinds + 1
   end
end

function done(summary, latency, requests)
   local e, b, u, q, first = 0, 0, 0, 0, ""
   for _, t in ipairs(threads) do
      e = e + t:get("errors")
      b = b + t:get("binds")
      u = u + t:get("unbinds")
      q = q + t:get("queries")
      if first == "" then first = t:get("first_error") end
   end
   local s = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
         .. '"max_us":%d,"mean_us":%.1f,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
         .. '"non2xx":%d,"reply_errors":%d,"binds":%d,"unbinds":%d,"queries":%d,"first_error":"%s"}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      s.connect, s.read, s.write, s.timeout, s.status, e, b, u, q, (first:gsub('[%c"\\]', " "))))
end
