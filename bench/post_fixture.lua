-- wrk script: POST one webhook body (path in the BODY_FILE environment variable) to /webhook.
-- A different instance label per request keeps every body distinct, so the host's dedup of
-- identical pending deliveries does not make the run cheaper than real traffic: the label names
-- the run, the thread and the request (each thread has its own Lua state with the same random
-- seed, so math.random alone repeats across threads).
-- MAX_REQUESTS (optional): each thread stops after its share of that many responses (wrk still
-- waits for -d: the caller interrupts it, see bench/memory.sh).
-- done() prints the figures wrk's --latency leaves out (p99.9) as one parseable line.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.path = "/webhook"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local responses = 0
local run = os.time()
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
local limit = tonumber(os.getenv("MAX_REQUESTS") or "0") / tonumber(os.getenv("WRK_THREADS") or "1")
request = function()
  counter = counter + 1
  local b = body:gsub('"instance": "server01"', '"instance": "bench' .. run .. '-' .. thread_id .. '-' .. counter .. '"', 1)
  return wrk.format(nil, nil, nil, b)
end
-- Only with a limit: a response() makes wrk parse every response, which costs it some speed.
if limit > 0 then
  response = function(status, headers, body)
    responses = responses + 1
    if responses >= limit then wrk.thread:stop() end
  end
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, errors, summary.errors.status))
end
