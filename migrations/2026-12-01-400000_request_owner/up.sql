-- The process that sends a request, as "pid:start" (its start in clock ticks since boot, from
-- /proc/PID/stat), so that a later tm can tell a pending request whose process is gone from
-- one still being answered. NULL for requests sent before this column.
ALTER TABLE requests ADD COLUMN owner TEXT;
-- Pending requests are few at any time and looked for on every open.
CREATE INDEX requests_pending ON requests (id) WHERE outcome = 'pending';
