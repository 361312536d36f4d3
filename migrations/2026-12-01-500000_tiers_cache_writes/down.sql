-- Back to requests without cache writes or tiers, and the triggers that did not sum them.
DROP TRIGGER usage_totals_update;
DROP TRIGGER usage_totals_delete;
DROP TRIGGER usage_totals_insert;

ALTER TABLE usage_totals DROP COLUMN cache_write_tokens;
ALTER TABLE requests DROP COLUMN service_tier;
ALTER TABLE requests DROP COLUMN cache_write_price_picodollars;
ALTER TABLE requests DROP COLUMN cache_write_tokens;

CREATE TRIGGER usage_totals_insert AFTER INSERT ON requests BEGIN
    INSERT INTO usage_totals
    SELECT spans.level, spans.span, models.name, 1,
           coalesce(NEW.prompt_tokens, 0), coalesce(NEW.cached_tokens, 0),
           coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0), NEW.images,
           coalesce(NEW.cost_picodollars, 0),
           NEW.cost_picodollars IS NULL AND (NEW.prompt_tokens IS NOT NULL OR NEW.images > 0),
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
        cost_picodollars = cost_picodollars - coalesce(OLD.cost_picodollars, 0),
        unpriced_requests = unpriced_requests
            - (OLD.cost_picodollars IS NULL AND (OLD.prompt_tokens IS NOT NULL OR OLD.images > 0)),
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
    started_at, model, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, images,
    cost_picodollars, outcome
ON requests BEGIN
    UPDATE usage_totals SET
        requests = requests - 1,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        images = images - OLD.images,
        cost_picodollars = cost_picodollars - coalesce(OLD.cost_picodollars, 0),
        unpriced_requests = unpriced_requests
            - (OLD.cost_picodollars IS NULL AND (OLD.prompt_tokens IS NOT NULL OR OLD.images > 0)),
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
           coalesce(NEW.cost_picodollars, 0),
           NEW.cost_picodollars IS NULL AND (NEW.prompt_tokens IS NOT NULL OR NEW.images > 0),
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
