-- wrk script: POSTs the AdmissionReview in $REVIEW_FILE on every request, keep-alive.
-- With $DELAY_MS set, each connection waits that long before its next request, which paces
-- the load to (connections * 1000 / DELAY_MS) requests per second while responses stay short.
local file = assert(io.open(os.getenv("REVIEW_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"

local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end
