-- store.lua: the one Redis script of the station, that stores eas-publish's lines (loaded once
-- per connection with SCRIPT LOAD, run with EVALSHA; embedded in the binary at build time).
-- Every key and channel comes in KEYS, named by lib/keys; ARGV[1] says what to store.
--
-- ARGV[1] == 'lines': a batch of N alert, eom and recording lines.
--   KEYS: the alerts stream (also its pub/sub channel), then per line its seen key and heard set.
--   ARGV: 'lines', maxlen, then per line source, json, seen-key expiry (epoch ms), type, id.
--   Returns per line the stream entry id when this is the first hearing of the line's key, 0
--   when the key was already there (a duplicate or a replay).  The seen key holds the first
--   source; the heard set is made only when a second source hears the alert (then it holds
--   them all), which halves the server's work per line against a set for every alert.
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
local stream, maxlen, out = KEYS[1], ARGV[2], {}
for i = 1, (#KEYS - 1) / 2 do
  local seen, heard, b = KEYS[2 * i], KEYS[2 * i + 1], 3 + (i - 1) * 5
  local src, json, ttl, typ = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
  if redis.call('SET', seen, src, 'NX', 'PXAT', ttl) then
    out[i] = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'json', json,
      'type', typ, 'id', ARGV[b + 4], 'source', src)
    redis.call('PUBLISH', stream, json)
  else
    out[i] = 0
    local first = redis.call('GET', seen)
    if typ == 'alert' and first and first ~= src then
      redis.call('SADD', heard, first, src)
      redis.call('PEXPIREAT', heard, ttl)
    end
  end
end
return out
