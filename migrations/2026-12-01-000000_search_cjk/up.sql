-- Search in Chinese and Japanese: the indexes now hold each message and title as
-- tm_search_text makes it (runs of Han and Kana written as overlapping pairs of characters),
-- read through two views. tm registers tm_search_text on every connection it opens; another
-- program that writes messages or titles without it gets "no such function" and writes
-- nothing, so the index never drifts from the text.
DROP TRIGGER conversations_search_update;
DROP TRIGGER conversations_search_delete;
DROP TRIGGER conversations_search_insert;
DROP TABLE conversations_search;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_insert;
DROP TABLE messages_search;

CREATE VIEW messages_search_text AS SELECT id, tm_search_text(content) AS content FROM messages;
CREATE VIRTUAL TABLE messages_search USING fts5(
    content, content = 'messages_search_text', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2', detail = 'none', columnsize = 0
);
INSERT INTO messages_search (messages_search) VALUES ('rebuild');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, content) VALUES (NEW.id, tm_search_text(NEW.content));
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content)
        VALUES ('delete', OLD.id, tm_search_text(OLD.content));
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content)
        VALUES ('delete', OLD.id, tm_search_text(OLD.content));
    INSERT INTO messages_search (rowid, content) VALUES (NEW.id, tm_search_text(NEW.content));
END;

CREATE VIEW conversations_search_text AS SELECT id, tm_search_text(title) AS title FROM conversations;
CREATE VIRTUAL TABLE conversations_search USING fts5(
    title, content = 'conversations_search_text', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2', detail = 'none', columnsize = 0
);
INSERT INTO conversations_search (conversations_search) VALUES ('rebuild');

CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_search (rowid, title) VALUES (NEW.id, tm_search_text(NEW.title));
END;
CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_search (conversations_search, rowid, title)
        VALUES ('delete', OLD.id, tm_search_text(OLD.title));
END;
CREATE TRIGGER conversations_search_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO conversations_search (conversations_search, rowid, title)
        VALUES ('delete', OLD.id, tm_search_text(OLD.title));
    INSERT INTO conversations_search (rowid, title) VALUES (NEW.id, tm_search_text(NEW.title));
END;
