-- The part of every wrk scenario script that bench/run.py does not generate.
--
-- run.py writes a small script per scenario that defines BENCH_REQUESTS (a list of
-- {method, path, headers, body}), BENCH_THREADS (wrk's -t) and BENCH_OUT (where to write the
-- result), then loads this file. Each wrk thread walks the list from its own offset, so two
-- threads never send the same entry at the same moment and a list of N one-shot requests (an
-- order form with its own cart) is used exactly once before it wraps around.
--
-- The result is a JSON object: requests, duration, bytes, socket errors, exact latency
-- percentiles from wrk's histogram, and how many answers fell into each class (status code,
-- plus where an HX-Redirect pointed), so a scenario that quietly turned into "cart is full"
-- or "cart is empty" answers shows it.

local prepared = {}
local counter = 0
-- Globals on purpose: setup() sets thread_id in each thread, done() reads classes back.
thread_id = 0
classes = {}

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for i, r in ipairs(BENCH_REQUESTS) do
    prepared[i] = wrk.format(r.method, r.path, r.headers, r.body)
  end
end

function request()
  local index = (counter * BENCH_THREADS + thread_id) % #prepared + 1
  counter = counter + 1
  return prepared[index]
end

local function classify(status, headers)
  local key = tostring(status)
  for name, value in pairs(headers) do
    if string.lower(name) == "hx-redirect" then
      -- "/orders/ABC123/?key=..." -> "200 -> /orders/"
      key = key .. " -> /" .. (string.match(value, "^/([^/?]*)") or "") .. "/"
    end
  end
  return key
end

function response(status, headers, body)
  local key = classify(status, headers)
  classes[key] = (classes[key] or 0) + 1
end

local function json_string(s)
  return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("classes") or {}) do
      merged[key] = (merged[key] or 0) + count
    end
  end
  local parts = {}
  for key, count in pairs(merged) do
    table.insert(parts, json_string(key) .. ": " .. count)
  end
  local percentiles = {}
  for _, p in ipairs({ 50, 90, 95, 99, 99.9 }) do
    table.insert(percentiles, string.format('"%s": %d', tostring(p), latency:percentile(p)))
  end
  local e = summary.errors
  local out = assert(io.open(BENCH_OUT, "w"))
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"min": %d, "mean": %.1f, "max": %d, "stdev": %.1f, "percentiles": {%s}}, '
      .. '"classes": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev, table.concat(percentiles, ", "),
    table.concat(parts, ", ")
  ))
  out:close()
end
