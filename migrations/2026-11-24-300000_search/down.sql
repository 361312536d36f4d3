DROP TRIGGER conversations_search_update;
DROP TRIGGER conversations_search_delete;
DROP TRIGGER conversations_search_insert;
DROP TABLE conversations_search;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_insert;
DROP TABLE messages_search;
