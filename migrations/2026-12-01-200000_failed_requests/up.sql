-- `tm usage` counts failed requests, and a request that failed before any text arrived
-- costs nothing: the server sent nothing back, so nothing was billed. `tm chat` recorded
-- such requests with its own estimate of the prompt as if it had been billed; those numbers
-- are dropped here (the pre-send estimate stays in estimated_prompt_tokens). The totals are
-- then made again with a count of failed requests, and the triggers keep it as they keep
-- the rest.
DROP TRIGGER usage_totals_update;
DROP TRIGGER usage_totals_delete;
DROP TRIGGER usage_totals_insert;
DROP TABLE usage_totals;

UPDATE requests SET prompt_tokens = NULL, cached_tokens = NULL, completion_tokens = NULL,
                    reasoning_tokens = NULL, cost = NULL
WHERE outcome = 'failed' AND answer_id IS NULL AND kind = 'chat';

CREATE TABLE usage_totals (
    level INTEGER NOT NULL,
    span TEXT NOT NULL,
    model TEXT NOT NULL,
    requests BIGINT NOT NULL,
    prompt_tokens BIGINT NOT NULL,
    cached_tokens BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    images BIGINT NOT NULL,
    cost_picodollars BIGINT NOT NULL,
    unpriced_requests BIGINT NOT NULL,
    failed_requests BIGINT NOT NULL,
    -- Model before span: a report reads one model's (or all models') spans in a row.
    PRIMARY KEY (level, model, span)
) WITHOUT ROWID;
-- `unpriced_requests` counts requests with tokens or images but no known price: their cost is
-- unknown, not zero.

INSERT INTO usage_totals
SELECT level.column1,
       CASE level.column1
           WHEN 0 THEN substr(r.started_at, 1, 10)
           WHEN 1 THEN substr(r.started_at, 1, 13)
           ELSE substr(r.started_at, 1, 14) || printf('%02d', substr(r.started_at, 15, 2) / 15 * 15)
       END,
       CASE WHEN every_model.column1 THEN '' ELSE r.model END,
       count(*),
       coalesce(sum(r.prompt_tokens), 0), coalesce(sum(r.cached_tokens), 0),
       coalesce(sum(r.completion_tokens), 0), coalesce(sum(r.reasoning_tokens), 0),
       coalesce(sum(r.images), 0), coalesce(sum(CAST(round(r.cost * 1e12) AS INTEGER)), 0),
       count(*) FILTER (WHERE r.cost IS NULL AND (r.prompt_tokens IS NOT NULL OR r.images > 0)),
       count(*) FILTER (WHERE r.outcome = 'failed')
FROM requests r, (VALUES (0), (1), (2)) AS level, (VALUES (false), (true)) AS every_model
GROUP BY 1, 2, 3;

CREATE TRIGGER usage_totals_insert AFTER INSERT ON requests BEGIN
    INSERT INTO usage_totals
    SELECT spans.level, spans.span, models.name, 1,
           coalesce(NEW.prompt_tokens, 0), coalesce(NEW.cached_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0), NEW.images,
           coalesce(CAST(round(NEW.cost * 1e12) AS INTEGER), 0),
           NEW.cost IS NULL AND (NEW.prompt_tokens IS NOT NULL OR NEW.images > 0),
           NEW.outcome = 'failed'
    FROM (SELECT 0 AS level, substr(NEW.started_at, 1, 10) AS span
          UNION ALL SELECT 1, substr(NEW.started_at, 1, 13)
          UNION ALL SELECT 2, substr(NEW.started_at, 1, 14)
                              || printf('%02d', substr(NEW.started_at, 15, 2) / 15 * 15)) AS spans,
         (SELECT NEW.model AS name UNION ALL SELECT '') AS models
    WHERE true
    ON CONFLICT (level, model, span) DO UPDATE SET
        requests = requests + excluded.requests,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        images = images + excluded.images,
        cost_picodollars = cost_picodollars + excluded.cost_picodollars,
        unpriced_requests = unpriced_requests + excluded.unpriced_requests,
        failed_requests = failed_requests + excluded.failed_requests;
END;

CREATE TRIGGER usage_totals_delete AFTER DELETE ON requests BEGIN
    UPDATE usage_totals SET
        requests = requests - 1,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        images = images - OLD.images,
        cost_picodollars = cost_picodollars - coalesce(CAST(round(OLD.cost * 1e12) AS INTEGER), 0),
        unpriced_requests = unpriced_requests
            - (OLD.cost IS NULL AND (OLD.prompt_tokens IS NOT NULL OR OLD.images > 0)),
        failed_requests = failed_requests - (OLD.outcome = 'failed')
    WHERE model IN (OLD.model, '')
      AND (level, span) IN (VALUES
          (0, substr(OLD.started_at, 1, 10)),
          (1, substr(OLD.started_at, 1, 13)),
          (2, substr(OLD.started_at, 1, 14) || printf('%02d', substr(OLD.started_at, 15, 2) / 15 * 15)));
    DELETE FROM usage_totals WHERE requests = 0 AND model IN (OLD.model, '')
      AND (level, span) IN (VALUES
          (0, substr(OLD.started_at, 1, 10)),
          (1, substr(OLD.started_at, 1, 13)),
          (2, substr(OLD.started_at, 1, 14) || printf('%02d', substr(OLD.started_at, 15, 2) / 15 * 15)));
END;

-- An update is the old row taken out and the new one put in; only columns the totals use fire it.
CREATE TRIGGER usage_totals_update AFTER UPDATE OF
    started_at, model, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, images, cost,
    outcome
ON requests BEGIN
    UPDATE usage_totals SET
        requests = requests - 1,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        images = images - OLD.images,
        cost_picodollars = cost_picodollars - coalesce(CAST(round(OLD.cost * 1e12) AS INTEGER), 0),
        unpriced_requests = unpriced_requests
            - (OLD.cost IS NULL AND (OLD.prompt_tokens IS NOT NULL OR OLD.images > 0)),
        failed_requests = failed_requests - (OLD.outcome = 'failed')
    WHERE model IN (OLD.model, '')
      AND (level, span) IN (VALUES
          (0, substr(OLD.started_at, 1, 10)),
          (1, substr(OLD.started_at, 1, 13)),
          (2, substr(OLD.started_at, 1, 14) || printf('%02d', substr(OLD.started_at, 15, 2) / 15 * 15)));
    DELETE FROM usage_totals WHERE requests = 0 AND model IN (OLD.model, '')
      AND (level, span) IN (VALUES
          (0, substr(OLD.started_at, 1, 10)),
          (1, substr(OLD.started_at, 1, 13)),
          (2, substr(OLD.started_at, 1, 14) || printf('%02d', substr(OLD.started_at, 15, 2) / 15 * 15)));
    INSERT INTO usage_totals
    SELECT spans.level, spans.span, models.name, 1,
           coalesce(NEW.prompt_tokens, 0), coalesce(NEW.cached_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0), NEW.images,
           coalesce(CAST(round(NEW.cost * 1e12) AS INTEGER), 0),
           NEW.cost IS NULL AND (NEW.prompt_tokens IS NOT NULL OR NEW.images > 0),
           NEW.outcome = 'failed'
    FROM (SELECT 0 AS level, substr(NEW.started_at, 1, 10) AS span
          UNION ALL SELECT 1, substr(NEW.started_at, 1, 13)
          UNION ALL SELECT 2, substr(NEW.started_at, 1, 14)
                              || printf('%02d', substr(NEW.started_at, 15, 2) / 15 * 15)) AS spans,
         (SELECT NEW.model AS name UNION ALL SELECT '') AS models
    WHERE true
    ON CONFLICT (level, model, span) DO UPDATE SET
        requests = requests + excluded.requests,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        images = images + excluded.images,
        cost_picodollars = cost_picodollars + excluded.cost_picodollars,
        unpriced_requests = unpriced_requests + excluded.unpriced_requests,
        failed_requests = failed_requests + excluded.failed_requests;
END;
