-- Stable identities for what can move between machines, and the record of what was
-- imported. Each conversation, message and request gets a UUID (random, version 4) when it
-- is written, here for the rows already there and by a trigger for every new one, so that
-- `tm import tm` can merge an export from another machine: a row whose UUID is already here
-- is skipped. `requests.imported` names where an imported request came from (tokenmeter,
-- chatgpt, llm); NULL for tm's own. `imports` remembers every imported file by the SHA-256
-- of its bytes, so the same file imported twice adds nothing.
ALTER TABLE conversations ADD COLUMN uuid TEXT;
ALTER TABLE messages ADD COLUMN uuid TEXT;
ALTER TABLE requests ADD COLUMN uuid TEXT;
ALTER TABLE requests ADD COLUMN imported TEXT;

UPDATE conversations SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
    substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||
    substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE messages SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
    substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||
    substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
UPDATE requests SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
    substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||
    substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));

CREATE UNIQUE INDEX conversations_uuid ON conversations (uuid);
CREATE UNIQUE INDEX messages_uuid ON messages (uuid);
CREATE UNIQUE INDEX requests_uuid ON requests (uuid);

-- A row written without a UUID (everything tm writes itself) gets one at once.
CREATE TRIGGER conversations_new_uuid AFTER INSERT ON conversations WHEN NEW.uuid IS NULL BEGIN
    UPDATE conversations SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
        substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||
        substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE id = NEW.id;
END;
CREATE TRIGGER messages_new_uuid AFTER INSERT ON messages WHEN NEW.uuid IS NULL BEGIN
    UPDATE messages SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
        substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||
        substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE id = NEW.id;
END;
CREATE TRIGGER requests_new_uuid AFTER INSERT ON requests WHEN NEW.uuid IS NULL BEGIN
    UPDATE requests SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
        substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) ||
        substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
    WHERE id = NEW.id;
END;

CREATE TABLE imports (
    sha256 TEXT PRIMARY KEY NOT NULL,
    -- tokenmeter, chatgpt, llm or tm.
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    conversations INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    requests INTEGER NOT NULL
);
