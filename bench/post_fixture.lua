-- wrk script: POST one webhook body (path in the BODY_FILE environment variable) to /webhook.
-- A different instance label per request keeps every body distinct, so the host's dedup of
-- identical pending deliveries does not make the run cheaper than real traffic.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
wrk.method = "POST"
wrk.path = "/webhook"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local b = body:gsub('"instance": "server01"', '"instance": "bench' .. counter .. '-' .. tostring(math.random(1e9)) .. '"', 1)
  return wrk.format(nil, nil, nil, b)
end
