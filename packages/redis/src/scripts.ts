/**
 * Lua scripts, one per state operation: each runs atomically in Redis, so instances racing on one
 * subject still count every event once and claim a cooldown exactly once. The keys of one
 * operation share a hash tag, so they land in one slot of a Redis Cluster.
 */

/**
 * Sliding-window set. KEYS: members (zset member → time), weights (hash, only for weighted
 * windows), samples (zset id → time). ARGV: now, windowMs, member ('' = read only), weight
 * ('' = 1), sample ('' = none), limit (-1 = none), samples kept.
 * Returns { count, sum (string), samples, added }.
 */
export const WINDOW = `
local now = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
local member = ARGV[3]
local weight = ARGV[4]
local sample = ARGV[5]
local limit = tonumber(ARGV[6])
local keep = tonumber(ARGV[7])
local cutoff = now - win
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
if #old > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  for i = 1, #old, 500 do
    redis.call('HDEL', KEYS[2], unpack(old, i, math.min(i + 499, #old)))
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', cutoff)
local added = 0
if member ~= '' then
  local count = redis.call('ZCARD', KEYS[1])
  if not redis.call('ZSCORE', KEYS[1], member) and (limit < 0 or count < limit) then
    redis.call('ZADD', KEYS[1], now, member)
    if weight ~= '' then redis.call('HSET', KEYS[2], member, weight) end
    added = 1
  end
  if sample ~= '' and (added == 1 or limit < 0) then
    redis.call('ZADD', KEYS[3], now, sample)
    local n = redis.call('ZCARD', KEYS[3])
    if n > keep then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, n - keep - 1) end
  end
  redis.call('PEXPIRE', KEYS[1], win)
  redis.call('PEXPIRE', KEYS[3], win)
  if weight ~= '' then redis.call('PEXPIRE', KEYS[2], win) end
end
local count = redis.call('ZCARD', KEYS[1])
local weighted = redis.call('HVALS', KEYS[2])
local sum = count - #weighted
for _, v in ipairs(weighted) do sum = sum + tonumber(v) end
return { count, tostring(sum), redis.call('ZRANGE', KEYS[3], 0, -1), added }
`;

/** First-seen set. KEYS: the set. ARGV: member, ttlMs, most members kept. Returns { isNew, known }. */
export const FIRST_SEEN = `
local known = redis.call('SCARD', KEYS[1])
local isNew = 0
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  isNew = 1
  if known < tonumber(ARGV[3]) then redis.call('SADD', KEYS[1], ARGV[1]) end
else
  known = known - 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { isNew, known }
`;

/**
 * Rolling baseline. KEYS: a hash of bucket index → count, plus \`first\`. ARGV: now, bucketMs, buckets.
 * Returns { current, total of the previous buckets, history }.
 */
export const BASELINE = `
local now = tonumber(ARGV[1])
local bucketMs = tonumber(ARGV[2])
local buckets = tonumber(ARGV[3])
local idx = math.floor(now / bucketMs)
local state = redis.call('HMGET', KEYS[1], 'first', 'last')
local first = tonumber(state[1])
local last = tonumber(state[2])
if not first or not last or idx - last > buckets then
  -- New, or idle longer than the ring: the history starts again (expiry only frees memory).
  redis.call('DEL', KEYS[1])
  first = idx
  redis.call('HSET', KEYS[1], 'first', string.format('%d', idx))
end
redis.call('HSET', KEYS[1], 'last', string.format('%d', idx))
local current = redis.call('HINCRBY', KEYS[1], string.format('%d', idx), 1)
local history = math.min(buckets, idx - first)
local total = 0
if history > 0 then
  local fields = {}
  for i = idx - history, idx - 1 do fields[#fields + 1] = string.format('%d', i) end
  for _, v in ipairs(redis.call('HMGET', KEYS[1], unpack(fields))) do
    if v then total = total + tonumber(v) end
  end
end
if redis.call('HLEN', KEYS[1]) > buckets + 3 then
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    local n = tonumber(f)
    if f ~= 'first' and f ~= 'last' and n and n < idx - buckets then redis.call('HDEL', KEYS[1], f) end
  end
end
redis.call('PEXPIRE', KEYS[1], bucketMs * (buckets + 2))
return { current, total, history }
`;
