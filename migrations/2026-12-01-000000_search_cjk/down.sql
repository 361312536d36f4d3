-- Back to indexes of the text as written, without tm_search_text.
DROP TRIGGER conversations_search_update;
DROP TRIGGER conversations_search_delete;
DROP TRIGGER conversations_search_insert;
DROP TABLE conversations_search;
DROP VIEW conversations_search_text;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_insert;
DROP TABLE messages_search;
DROP VIEW messages_search_text;

CREATE VIRTUAL TABLE messages_search USING fts5(
    content, content = 'messages', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2', detail = 'none'
);
INSERT INTO messages_search (messages_search) VALUES ('rebuild');

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, content) VALUES (NEW.id, NEW.content);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content) VALUES ('delete', OLD.id, OLD.content);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, content) VALUES ('delete', OLD.id, OLD.content);
    INSERT INTO messages_search (rowid, content) VALUES (NEW.id, NEW.content);
END;

CREATE VIRTUAL TABLE conversations_search USING fts5(
    title, content = 'conversations', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2', detail = 'none'
);
INSERT INTO conversations_search (conversations_search) VALUES ('rebuild');

CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_search (rowid, title) VALUES (NEW.id, NEW.title);
END;
CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_search (conversations_search, rowid, title) VALUES ('delete', OLD.id, OLD.title);
END;
CREATE TRIGGER conversations_search_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO conversations_search (conversations_search, rowid, title) VALUES ('delete', OLD.id, OLD.title);
    INSERT INTO conversations_search (rowid, title) VALUES (NEW.id, NEW.title);
END;
