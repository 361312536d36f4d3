-- Request totals per UTC hour and model, so `tm usage` sums a few thousand rows instead of
-- every request of the period. Triggers keep it equal to the requests table in the same
-- transaction as each change, whatever code makes the change (delete's cascades included).
-- Cost is whole picodollars (USD × 1e12): integer sums are exact and do not depend on the
-- order of additions and subtractions, as sums of floating-point dollars would.
CREATE TABLE usage_hours (
    -- Counters are BIGINT: a year of tokens outgrows 32 bits. The hour is the first 13 characters of
    -- requests.started_at: '2026-11-24T21'.
    hour TEXT NOT NULL,
    model TEXT NOT NULL,
    requests BIGINT NOT NULL,
    prompt_tokens BIGINT NOT NULL,
    cached_tokens BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    images BIGINT NOT NULL,
    cost_picodollars BIGINT NOT NULL,
    -- Requests with tokens or images but no known price: their cost is unknown, not zero.
    unpriced_requests BIGINT NOT NULL,
    PRIMARY KEY (hour, model)
) WITHOUT ROWID;

INSERT INTO usage_hours
SELECT substr(started_at, 1, 13), model, count(*),
       coalesce(sum(prompt_tokens), 0), coalesce(sum(cached_tokens), 0),
       coalesce(sum(completion_tokens), 0), coalesce(sum(reasoning_tokens), 0),
       coalesce(sum(images), 0), coalesce(sum(CAST(round(cost * 1e12) AS INTEGER)), 0),
       count(*) FILTER (WHERE cost IS NULL AND (prompt_tokens IS NOT NULL OR images > 0))
FROM requests
GROUP BY 1, 2;

CREATE TRIGGER usage_hours_insert AFTER INSERT ON requests BEGIN
    INSERT INTO usage_hours VALUES (
        substr(NEW.started_at, 1, 13), NEW.model, 1,
        coalesce(NEW.prompt_tokens, 0), coalesce(NEW.cached_tokens, 0),
        coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0),
        NEW.images, coalesce(CAST(round(NEW.cost * 1e12) AS INTEGER), 0),
        NEW.cost IS NULL AND (NEW.prompt_tokens IS NOT NULL OR NEW.images > 0))
    ON CONFLICT (hour, model) DO UPDATE SET
        requests = requests + excluded.requests,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        images = images + excluded.images,
        cost_picodollars = cost_picodollars + excluded.cost_picodollars,
        unpriced_requests = unpriced_requests + excluded.unpriced_requests;
END;

CREATE TRIGGER usage_hours_delete AFTER DELETE ON requests BEGIN
    UPDATE usage_hours SET
        requests = requests - 1,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        images = images - OLD.images,
        cost_picodollars = cost_picodollars - coalesce(CAST(round(OLD.cost * 1e12) AS INTEGER), 0),
        unpriced_requests = unpriced_requests
            - (OLD.cost IS NULL AND (OLD.prompt_tokens IS NOT NULL OR OLD.images > 0))
    WHERE hour = substr(OLD.started_at, 1, 13) AND model = OLD.model;
    DELETE FROM usage_hours
    WHERE hour = substr(OLD.started_at, 1, 13) AND model = OLD.model AND requests = 0;
END;

-- An update is the old row taken out and the new one put in; only columns the totals use fire it.
CREATE TRIGGER usage_hours_update AFTER UPDATE OF
    started_at, model, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, images, cost
ON requests BEGIN
    UPDATE usage_hours SET
        requests = requests - 1,
        prompt_tokens = prompt_tokens - coalesce(OLD.prompt_tokens, 0),
        cached_tokens = cached_tokens - coalesce(OLD.cached_tokens, 0),
        completion_tokens = completion_tokens - coalesce(OLD.completion_tokens, 0),
        reasoning_tokens = reasoning_tokens - coalesce(OLD.reasoning_tokens, 0),
        images = images - OLD.images,
        cost_picodollars = cost_picodollars - coalesce(CAST(round(OLD.cost * 1e12) AS INTEGER), 0),
        unpriced_requests = unpriced_requests
            - (OLD.cost IS NULL AND (OLD.prompt_tokens IS NOT NULL OR OLD.images > 0))
    WHERE hour = substr(OLD.started_at, 1, 13) AND model = OLD.model;
    DELETE FROM usage_hours
    WHERE hour = substr(OLD.started_at, 1, 13) AND model = OLD.model AND requests = 0;
    INSERT INTO usage_hours VALUES (
        substr(NEW.started_at, 1, 13), NEW.model, 1,
        coalesce(NEW.prompt_tokens, 0), coalesce(NEW.cached_tokens, 0),
        coalesce(NEW.completion_tokens, 0), coalesce(NEW.reasoning_tokens, 0),
        NEW.images, coalesce(CAST(round(NEW.cost * 1e12) AS INTEGER), 0),
        NEW.cost IS NULL AND (NEW.prompt_tokens IS NOT NULL OR NEW.images > 0))
    ON CONFLICT (hour, model) DO UPDATE SET
        requests = requests + excluded.requests,
        prompt_tokens = prompt_tokens + excluded.prompt_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens,
        completion_tokens = completion_tokens + excluded.completion_tokens,
        reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        images = images + excluded.images,
        cost_picodollars = cost_picodollars + excluded.cost_picodollars,
        unpriced_requests = unpriced_requests + excluded.unpriced_requests;
END;
