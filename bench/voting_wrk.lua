-- wrk script for bench/voting.py: POST one prepared request per voter, never the same twice.
--
--   wrk -t2 -c50 -d10s -s bench/voting_wrk.lua http://127.0.0.1:PORT -- REQUESTS OUT THREADS
--
-- REQUESTS holds one request a line: path, bearer token and JSON body, separated by tabs.
-- Thread n of N sends lines n, n + N, n + 2N, ...; a thread that has sent all its lines sends
-- an unauthenticated GET /bench/insert/ (answered 401) instead and counts it apart ("spare"),
-- so no voter votes twice. wrk calls request() once on the first thread before the run to
-- inspect it and discards the result: that call is answered without using up a line.
-- OUT receives one JSON object: requests, duration, latency percentiles (microseconds, every
-- response), status counts, socket errors, and the receipt codes the server answered with.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  out_file = args[2]
  local nthreads = tonumber(args[3])
  lines = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % nthreads == id then
      local path, token, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      lines[#lines + 1] = wrk.format("POST", path, {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
      }, body)
    end
    n = n + 1
  end
  spare_request = wrk.format("GET", "/bench/insert/")
  inspected = id ~= 0
  next_line = 1
  statuses = {}
  receipts = {}
  spare = 0
end

function request()
  if not inspected then
    inspected = true
    return lines[1] or spare_request
  end
  if next_line <= #lines then
    local r = lines[next_line]
    next_line = next_line + 1
    return r
  end
  return spare_request
end

function response(status, headers, body)
  if status == 401 then
    spare = spare + 1
    return
  end
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  if status == 201 and body then
    for code in body:gmatch('"receipt": ?"([0-9A-Z]+)"') do
      receipts[#receipts + 1] = code
    end
  end
end

local function json_string(s)
  return '"' .. tostring(s):gsub('[%c"\\]', "") .. '"'
end

function done(summary, latency, requests)
  local out = assert(io.open(threads[1]:get("out_file"), "w"))
  local merged = {}
  local codes = {}
  local spares = 0
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do
      merged[k] = (merged[k] or 0) + v
    end
    for _, code in ipairs(thread:get("receipts")) do
      codes[#codes + 1] = json_string(code)
    end
    spares = spares + thread:get("spare")
  end
  local parts = {}
  for k, v in pairs(merged) do
    parts[#parts + 1] = json_string(k) .. ": " .. v
  end
  local e = summary.errors
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "spare": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "statuses": {%s}, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"receipts": [%s]}\n',
    summary.requests, summary.duration, spares, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout,
    table.concat(codes, ", ")))
  out:close()
end
