-- Marks the file as a tm database, so tm can refuse SQLite files of other programs untouched.
PRAGMA application_id = 1416318324; -- "TkMt"

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX conversations_updated_at ON conversations (updated_at);

-- A question (role 'user') is 'pending' until its request ends, then 'answered' or 'failed';
-- an answer (role 'assistant') is 'complete' or 'interrupted'. Failed questions are never sent again.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'answered', 'failed', 'complete', 'interrupted')),
    -- Tokens of the content alone, counted once with the named encoding so estimates never recount history.
    content_tokens INTEGER,
    token_encoding TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- One row per API request. Token columns are NULL until known; usage_estimated marks numbers
-- that are tiktoken estimates because the API reported no usage. Unit prices are USD per 1M
-- tokens as charged at the time, so a later price change never rewrites history.
CREATE TABLE requests (
    id INTEGER PRIMARY KEY NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    answer_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('chat', 'image')),
    model TEXT NOT NULL,
    sent_message_ids TEXT NOT NULL,
    system_prompt TEXT,
    estimated_prompt_tokens INTEGER,
    prompt_tokens INTEGER,
    cached_tokens INTEGER,
    completion_tokens INTEGER,
    reasoning_tokens INTEGER,
    -- Images generated (tm image); 0 for chat requests.
    images INTEGER NOT NULL DEFAULT 0,
    usage_estimated BOOLEAN NOT NULL DEFAULT 0,
    input_price DOUBLE,
    cached_price DOUBLE,
    output_price DOUBLE,
    cost DOUBLE,
    started_at TEXT NOT NULL,
    first_token_ms INTEGER,
    duration_ms INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'ok', 'interrupted', 'failed')),
    error TEXT
);
CREATE INDEX requests_started_at ON requests (started_at);
CREATE INDEX requests_conversation ON requests (conversation_id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
