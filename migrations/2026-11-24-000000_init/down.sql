DROP TABLE settings;
DROP TABLE requests;
DROP TABLE messages;
DROP TABLE conversations;
PRAGMA application_id = 0;
