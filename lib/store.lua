-- store.lua: the one Redis script of the station, that stores eas-publish's lines (loaded once
-- per connection with SCRIPT LOAD, run with EVALSHA; embedded in the binary at build time).
-- Every key and channel comes in KEYS, named by lib/keys; ARGV[1] says what to store.
--
-- ARGV[1] == 'lines': a batch of N alert and eom lines.
--   KEYS: the alerts stream (also its pub/sub channel), the alert counts hash, then per line
--   its seen key, heard set, and its source's last-event hash.
--   ARGV: 'lines', maxlen, then per line source, json, seen-key expiry (epoch ms), type, id,
--   receive time (epoch s).
--   Returns per line the stream entry id when this is the first hearing of the line's key, 0
--   when the key was already there (a duplicate or a replay).  The seen key holds the first
--   source; the heard set is made only when a second source hears the alert (then it holds
--   them all), which halves the server's work per line against a set for every alert.
--   Every hearing of an alert also sets its event code (the line's "event", three capital
--   letters) in the source's last-event hash to the receive time, newest kept, so the last
--   RWT a monitor heard outlives the stream's trimming; every first hearing counts one in the
--   counts hash under its event code.  Both are written once per batch.
--
-- ARGV[1] == 'status': one status line.
--   KEYS: the source's heartbeat key, the metrics hash, the metrics update channel.
--   ARGV: 'status', source, json, epoch seconds.  Returns 1.
if ARGV[1] == 'status' then
  redis.call('SET', KEYS[1], ARGV[4], 'EX', 60)
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3], '_heartbeat', ARGV[4])
  redis.call('PUBLISH', KEYS[3], ARGV[2])
  return 1
end
local stream, counts, maxlen, out = KEYS[1], KEYS[2], ARGV[2], {}
local added, heardat = {}, {}
for i = 1, (#KEYS - 2) / 3 do
  local seen, heard, last, b = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2], 3 + (i - 1) * 6
  local src, json, ttl, typ = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  local ev = nil
  if typ == 'alert' then
    ev = string.match(json, '"event"%s*:%s*"(%u%u%u)"')
  end
  if redis.call('SET', seen, src, 'NX', 'PXAT', ttl) then
    out[i] = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'json', json,
      'type', typ, 'id', ARGV[b + 4], 'source', src)
    redis.call('PUBLISH', stream, json)
    if ev then
      added[ev] = (added[ev] or 0) + 1
    end
  else
    out[i] = 0
    local first = redis.call('GET', seen)
    if typ == 'alert' and first and first ~= src then
      redis.call('SADD', heard, first, src)
      redis.call('PEXPIREAT', heard, ttl)
    end
  end
  if ev then
    local t = tonumber(ARGV[b + 5])
    local per = heardat[last]
    if not per then
      per = {}
      heardat[last] = per
    end
    if t and (not per[ev] or per[ev] < t) then
      per[ev] = t
    end
  end
end
for ev, n in pairs(added) do
  redis.call('HINCRBY', counts, ev, n)
end
for last, per in pairs(heardat) do
  local args = {}
  for ev, t in pairs(per) do
    local cur = tonumber(redis.call('HGET', last, ev))
    if not cur or cur < t then
      args[#args + 1] = ev
      args[#args + 1] = string.format('%d', t)
    end
  end
  if #args > 0 then
    redis.call('HSET', last, unpack(args))
  end
end
return out
