-- File contents, once each however often they are attached (content-addressed).
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    bytes BLOB NOT NULL
);

-- Files sent with a question; re-sent whenever the question is inside the context window.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY NOT NULL,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'text', 'pdf')),
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    detail TEXT
);
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_sha256 ON attachments (sha256);

-- Images made by tm image: the file written for the user, and the copy in the data directory.
CREATE TABLE images (
    id INTEGER PRIMARY KEY NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    revised_prompt TEXT,
    model TEXT NOT NULL,
    size TEXT NOT NULL,
    quality TEXT,
    path TEXT NOT NULL,
    copy_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX images_request ON images (request_id);
