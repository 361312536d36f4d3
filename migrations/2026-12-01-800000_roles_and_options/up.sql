-- Saved roles: a named system prompt with an optional model (`tm role set`), and on each
-- request the role it used and the extra request fields given with `-o KEY=VALUE` (a JSON
-- object, such as {"temperature":0.2}), so that what shaped an answer stays with it.
CREATE TABLE roles (
    name TEXT PRIMARY KEY NOT NULL,
    system TEXT NOT NULL,
    model TEXT
);
ALTER TABLE requests ADD COLUMN role TEXT;
ALTER TABLE requests ADD COLUMN options TEXT;
