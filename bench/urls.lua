-- wrk script: requests the tile paths of $BENCH_URLS in turn (each thread
-- from its own offset) and prints one summary line:
-- requests seconds bytes p50_ms p99_ms errors(non-2xx/3xx + socket)
local paths = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_URLS")) do
    table.insert(paths, line)
  end
  counter = math.floor(#paths / 2) * id
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %d %.2f %.2f %d\n", summary.requests, summary.duration / 1e6, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status + e.connect + e.read + e.write + e.timeout))
end
